import { createHash, createHmac, generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { errorMessage, InvalidInputError } from '../../ops/runtime/index.js';
import { bitString, explicit, integer, nullValue, octetString, oid, sequence, set, time, unsignedInteger, utf8String } from './der.js';
import type { GeneratedKeyPair } from './ssh.js';

const generateRsa = promisify(generateKeyPair);

/** Nova's fingerprint of an x509 key pair: SHA-1 of the PEM certificate, colon-separated lower-case hex. */
export function x509Fingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint.toLowerCase();
  } catch (err) {
    throw new InvalidInputError(`Keypair data is invalid: failed to generate X509 fingerprint. Error message: ${errorMessage(err)}`, { cause: err });
  }
}

const sha256WithRsa = () => sequence(oid('1.2.840.113549.1.1.11'), nullValue());
const name = (commonName: string) => sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName))));
const extension = (id: string, value: Buffer) => sequence(oid(id), octetString(value));

/** A self-signed client certificate for WinRM, as Nova makes with openssl: CN=user, UPN user@localhost, ten years. */
function selfSigned(userId: string, publicKey: KeyObject, privateKey: KeyObject): Buffer {
  const now = new Date();
  const upn = sequence(oid('1.3.6.1.4.1.311.20.2.3'), explicit(0, utf8String(`${userId}@localhost`)));
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(randomBytes(16)),
    sha256WithRsa(),
    name(userId),
    sequence(time(now), time(new Date(now.getTime() + 3650 * 86_400_000))),
    name(userId),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(
      extension('2.5.29.37', sequence(oid('1.3.6.1.5.5.7.3.2'))),
      // subjectAltName with an otherName ([0] IMPLICIT), Microsoft's UPN.
      extension('2.5.29.17', sequence(Buffer.concat([Buffer.from([0xa0]), upn.subarray(1)]))),
    )),
  );
  return sequence(tbs, sha256WithRsa(), bitString(sign('sha256', tbs, privateKey)));
}

/** PKCS#12's key derivation (RFC 7292 B.2) for the MAC key: SHA-1, one 20-byte block. */
function macKey(password: Buffer, salt: Buffer, iterations: number): Buffer {
  const v = 64;
  // Salt and password each repeated to fill whole 64-byte blocks.
  const stretch = (bytes: Buffer): Buffer => {
    const out = Buffer.alloc(Math.ceil(bytes.length / v) * v);
    for (let i = 0; i < out.length; i += 1) out[i] = bytes[i % bytes.length] ?? 0;
    return out;
  };
  let block = Buffer.concat([Buffer.alloc(v, 3), stretch(salt), stretch(password)]);
  for (let i = 0; i < iterations; i += 1) block = createHash('sha1').update(block).digest();
  return block;
}

const data = (content: Buffer) => sequence(oid('1.2.840.113549.1.7.1'), explicit(0, octetString(content)));

/** The key and certificate as a PKCS#12 file with an empty password, as `openssl pkcs12 -export -password pass:` gives it. */
function pkcs12(certificate: Buffer, privateKey: KeyObject): Buffer {
  const localKeyId = set(sequence(oid('1.2.840.113549.1.9.21'), set(octetString(createHash('sha1').update(certificate).digest()))));
  const certBag = sequence(
    oid('1.2.840.113549.1.12.10.1.3'),
    explicit(0, sequence(oid('1.2.840.113549.1.9.22.1'), explicit(0, octetString(certificate)))),
    localKeyId,
  );
  const keyBag = sequence(oid('1.2.840.113549.1.12.10.1.1'), explicit(0, privateKey.export({ type: 'pkcs8', format: 'der' })), localKeyId);
  const authSafe = sequence(data(sequence(certBag)), data(sequence(keyBag)));
  const salt = randomBytes(8);
  const iterations = 2048;
  // An empty password is the BMPString terminator alone: two zero bytes.
  const mac = createHmac('sha1', macKey(Buffer.alloc(2), salt, iterations)).update(authSafe).digest();
  const macData = sequence(sequence(sequence(oid('1.3.14.3.2.26'), nullValue()), octetString(mac)), octetString(salt), integer(iterations));
  return sequence(integer(3), data(authSafe), macData);
}

/** A generated x509 key pair: the certificate (PEM) is the public key, the PKCS#12 file (base64) the private one. */
export async function generateX509KeyPair(userId: string): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const der = selfSigned(userId, publicKey, privateKey);
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
  return { publicKey: pem, privateKey: pkcs12(der, privateKey).toString('base64'), fingerprint: x509Fingerprint(pem) };
}
