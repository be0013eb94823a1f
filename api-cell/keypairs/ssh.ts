import { createHash, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { InvalidInputError } from '../../ops/runtime/index.js';
import { bitString, oid, sequence } from './der.js';

const generateRsa = promisify(generateKeyPair);

/** Reads the length-prefixed strings an OpenSSH key blob is made of. */
class BlobReader {
  private offset = 0;
  constructor(private readonly blob: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.blob.length) throw new Error('truncated key blob');
    const size = this.blob.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + size > this.blob.length) throw new Error('truncated key blob');
    this.offset = start + size;
    return this.blob.subarray(start, start + size);
  }

  /** An mpint as a non-negative bigint (negative ones are no key's). */
  mpint(): bigint {
    const bytes = this.string();
    if (bytes.length > 0 && (bytes[0] ?? 0) & 0x80) throw new Error('negative mpint');
    return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
  }

  end(): void {
    if (this.offset !== this.blob.length) throw new Error('unexpected trailing data after key');
  }
}

const curves: Record<string, { name: string; oid: string }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', oid: '1.2.840.10045.3.1.7' },
  'ecdsa-sha2-nistp384': { name: 'nistp384', oid: '1.3.132.0.34' },
  'ecdsa-sha2-nistp521': { name: 'nistp521', oid: '1.3.132.0.35' },
  'sk-ecdsa-sha2-nistp256@openssh.com': { name: 'nistp256', oid: '1.2.840.10045.3.1.7' },
};

const bitLength = (n: bigint): number => n.toString(2).length;

/** Checks the key material the way a crypto library loading it would; throws on anything wrong. */
function checkBlob(type: string, blob: Buffer): void {
  const reader = new BlobReader(blob);
  if (reader.string().toString('latin1') !== type) throw new Error('key type does not match its blob');
  const curve = curves[type];
  if (type === 'ssh-rsa') {
    const e = reader.mpint();
    const n = reader.mpint();
    if (e < 3n || e >= n || e % 2n === 0n || n % 2n === 0n) throw new Error('invalid RSA public numbers');
  } else if (type === 'ssh-dss') {
    const [p, q, g, y] = [reader.mpint(), reader.mpint(), reader.mpint(), reader.mpint()];
    if (![1024, 2048, 3072, 4096].includes(bitLength(p)) || ![160, 224, 256].includes(bitLength(q))) throw new Error('invalid DSA parameters');
    if (!(g > 1n && g < p) || !(y > 0n && y < p)) throw new Error('invalid DSA public numbers');
  } else if (curve) {
    if (reader.string().toString('latin1') !== curve.name) throw new Error('curve does not match the key type');
    const point = reader.string();
    // Node checks the point is on the curve when it loads the key.
    createPublicKey({ key: sequence(sequence(oid('1.2.840.10045.2.1'), oid(curve.oid)), bitString(point)), format: 'der', type: 'spki' });
    if (type.startsWith('sk-')) reader.string();
  } else if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    const key = reader.string();
    if (key.length !== 32) throw new Error('invalid Ed25519 key');
    createPublicKey({ key: sequence(sequence(oid('1.3.101.112')), bitString(key)), format: 'der', type: 'spki' });
    if (type.startsWith('sk-')) reader.string();
  } else {
    throw new Error(`unsupported key type ${type}`);
  }
  reader.end();
}

/** Nova's fingerprint of an ssh key: MD5 of the decoded key blob as colon-separated hex. */
export function sshFingerprint(publicKey: string): string {
  try {
    const match = /^(\S+)[ \t]+(\S+)/.exec(publicKey);
    if (!match?.[1] || !match[2] || !/^[A-Za-z0-9+/]+={0,2}$/.test(match[2])) throw new Error('not an OpenSSH public key');
    const blob = Buffer.from(match[2], 'base64');
    checkBlob(match[1], blob);
    return colonHex(createHash('md5').update(blob).digest('hex'));
  } catch (cause) {
    throw new InvalidInputError('Keypair data is invalid: failed to generate fingerprint', { cause });
  }
}

export const colonHex = (hex: string): string => hex.match(/../g)?.join(':') ?? '';

const sshString = (bytes: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(bytes.length);
  return Buffer.concat([size, bytes]);
};
/** An mpint from a JWK's base64url magnitude: a leading zero byte when the top bit is set. */
const mpint = (b64url: string): Buffer => {
  const bytes = Buffer.from(b64url, 'base64url');
  return sshString((bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
};

export interface GeneratedKeyPair {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

/** A new RSA 2048 key pair: the public key in OpenSSH form, the private key as PKCS#1 PEM (as Nova hands it out). */
export async function generateSshKeyPair(): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(jwk.e ?? ''), mpint(jwk.n ?? '')]);
  const openssh = `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`;
  return {
    publicKey: openssh,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: sshFingerprint(openssh),
  };
}
