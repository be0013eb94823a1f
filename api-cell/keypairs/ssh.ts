import { createHash, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import sshpk from 'sshpk';
import { InvalidInputError } from '../../ops/runtime/index.js';

const generateRsa = promisify(generateKeyPair);

/** FIDO security-key types, which sshpk does not read yet: their base key's fields, then an application string. */
const securityKeyBases: Record<string, string> = {
  'sk-ecdsa-sha2-nistp256@openssh.com': 'ecdsa-sha2-nistp256',
  'sk-ssh-ed25519@openssh.com': 'ssh-ed25519',
};

const sshString = (bytes: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(bytes.length);
  return Buffer.concat([size, bytes]);
};

/** The length-prefixed strings a key blob is made of. */
function sshStrings(blob: Buffer): Buffer[] {
  const strings: Buffer[] = [];
  for (let at = 0; at < blob.length; ) {
    const end = at + 4 + (at + 4 <= blob.length ? blob.readUInt32BE(at) : Infinity);
    if (end > blob.length) throw new Error('truncated key blob');
    strings.push(blob.subarray(at + 4, end));
    at = end;
  }
  return strings;
}

/** The key in a blob as sshpk reads it; a security key is read as its base key. */
function readKey(type: string, blob: Buffer): sshpk.Key {
  const base = securityKeyBases[type];
  if (base !== undefined) {
    const [name, ...fields] = sshStrings(blob);
    if (name?.toString('latin1') !== type || fields.pop() === undefined) throw new Error('invalid security key');
    return readKey(base, Buffer.concat([sshString(Buffer.from(base)), ...fields.map(sshString)]));
  }
  const key = sshpk.parseKey(`${type} ${blob.toString('base64')}`, 'ssh');
  // sshpk stops at the key's last field; trailing or oddly encoded bytes are no key's.
  if (!key.toBuffer('rfc4253').equals(blob)) throw new Error('unexpected data in the key blob');
  return key;
}

/** A key's number (an mpint) by its part name. */
const part = (key: sshpk.Key, name: sshpk.AlgorithmPart): bigint => BigInt(`0x${key.parts.find((p) => p.name === name)?.data.toString('hex') || '0'}`);
const bitLength = (n: bigint): number => n.toString(2).length;

/** The checks Nova's crypto library makes when it loads a key, beyond parsing it. */
function checkKey(key: sshpk.Key): void {
  // Node checks curve points and key sizes when it loads the key.
  createPublicKey(key.toString('pkcs8'));
  if (key.type === 'rsa') {
    const [e, n] = [part(key, 'e'), part(key, 'n')];
    if (e < 3n || e >= n || e % 2n === 0n || n % 2n === 0n) throw new Error('invalid RSA public numbers');
  } else if (key.type === 'dsa') {
    const [p, q, g, y] = [part(key, 'p'), part(key, 'q'), part(key, 'g'), part(key, 'y')];
    if (![1024, 2048, 3072, 4096].includes(bitLength(p)) || ![160, 224, 256].includes(bitLength(q))) throw new Error('invalid DSA parameters');
    if (!(g > 1n && g < p) || !(y > 0n && y < p)) throw new Error('invalid DSA public numbers');
  }
}

/** Nova's fingerprint of an ssh key: MD5 of the decoded key blob as colon-separated hex. */
export function sshFingerprint(publicKey: string): string {
  try {
    const match = /^(\S+)[ \t]+(\S+)/.exec(publicKey);
    if (!match?.[1] || !match[2] || !/^[A-Za-z0-9+/]+={0,2}$/.test(match[2])) throw new Error('not an OpenSSH public key');
    const blob = Buffer.from(match[2], 'base64');
    checkKey(readKey(match[1], blob));
    return colonHex(createHash('md5').update(blob).digest('hex'));
  } catch (cause) {
    throw new InvalidInputError('Keypair data is invalid: failed to generate fingerprint', { cause });
  }
}

export const colonHex = (hex: string): string => hex.match(/../g)?.join(':') ?? '';

export interface GeneratedKeyPair {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

/** A new RSA 2048 key pair: the public key in OpenSSH form, the private key as PKCS#1 PEM (as Nova hands it out). */
export async function generateSshKeyPair(): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const key = sshpk.parseKey(publicKey.export({ type: 'spki', format: 'pem' }), 'pem');
  key.comment = 'Generated-by-Nova';
  const openssh = key.toString('ssh');
  return {
    publicKey: openssh,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: sshFingerprint(openssh),
  };
}
