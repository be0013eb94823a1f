import { generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { errorMessage, InvalidInputError } from '../../ops/runtime/index.js';
import type { GeneratedKeyPair } from './ssh.js';

const generateRsa = promisify(generateKeyPair);
const { asn1, pki } = forge;
/** forge's own TBSCertificate writer, which its typings leave out. */
const tbsCertificate = (pki as unknown as { getTBSCertificate: (cert: forge.pki.Certificate) => forge.asn1.Asn1 }).getTBSCertificate;

/** Nova's fingerprint of an x509 key pair: SHA-1 of the PEM certificate, colon-separated lower-case hex. */
export function x509Fingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint.toLowerCase();
  } catch (err) {
    throw new InvalidInputError(`Keypair data is invalid: failed to generate X509 fingerprint. Error message: ${errorMessage(err)}`, { cause: err });
  }
}

const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/** subjectAltName with one otherName, Microsoft's user principal name (forge writes only the simple name kinds itself). */
function upnAltName(upn: string): forge.asn1.Asn1 {
  const { Class, Type } = asn1;
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(UPN_OID).getBytes()),
      asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(upn))]),
    ]),
  ]);
}

/** A self-signed client certificate for WinRM, as Nova makes with openssl: CN=user, UPN user@localhost, ten years. */
function selfSigned(userId: string, publicKey: KeyObject, privateKey: KeyObject): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // 16 random bytes with the top bit clear, so the serial is a positive INTEGER.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(cert.validity.notBefore.getTime() + 3650 * 86_400_000);
  // A UTF8String, as user ids need not be printable-string characters (the typings call the tag a class).
  const name = [{ name: 'commonName', value: userId, valueTagClass: asn1.Type.UTF8 as unknown as forge.asn1.Class }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'extKeyUsage', clientAuth: true },
    { id: '2.5.29.17', name: 'subjectAltName', value: upnAltName(`${userId}@localhost`) },
  ]);
  // forge asks its key only to sign; node's native RSA does it some 100 ms faster than forge's.
  const signer = {
    sign: () => sign('sha256', Buffer.from(asn1.toDer(tbsCertificate(cert)).getBytes(), 'binary'), privateKey).toString('binary'),
  } as unknown as forge.pki.rsa.PrivateKey;
  cert.sign(signer, forge.md.sha256.create());
  return cert;
}

/**
 * A generated x509 key pair: the certificate (PEM) is the public key, the PKCS#12 file (base64)
 * the private one, with no password (its MAC keyed by the empty one, as OpenSSL reads it).
 */
export async function generateX509KeyPair(userId: string): Promise<GeneratedKeyPair> {
  // Node makes the key (native, fast); forge writes the certificate and the PKCS#12 around it.
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const cert = selfSigned(userId, publicKey, privateKey);
  const pem = pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  const key = pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, cert, null, { generateLocalKeyId: true, count: 2048 });
  const file = Buffer.from(asn1.toDer(p12).getBytes(), 'binary');
  return { publicKey: pem, privateKey: file.toString('base64'), fingerprint: x509Fingerprint(pem) };
}
