import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import forge from 'node-forge';

const { pki, md } = forge;

/** The deployment's own certificate authority: its certificate (what clients trust) and where it keeps what it issued. */
export interface DeploymentCa {
  dir: string;
  /** The CA certificate, PEM: clouds.yaml's cacert, NODE_EXTRA_CA_CERTS of every cellstack process. */
  certFile: string;
}

const caDir = (stateDir: string): string => resolve(stateDir, 'ca');

function rsaKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { forgeKey, publicKey: pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function newCertificate(publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600_000);
  return cert;
}

/** Makes the deployment CA once (key owner-only, never logged); later calls return the same one. */
export function ensureCa(stateDir: string, name: string): DeploymentCa {
  const dir = caDir(stateDir);
  const ca = { dir, certFile: resolve(dir, 'ca.pem') };
  if (existsSync(ca.certFile) && existsSync(resolve(dir, 'ca.key'))) return ca;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = rsaKey();
  const cert = newCertificate(key.publicKey, 10);
  const subject = [{ name: 'commonName', value: `cellstack ${name} CA` }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, md.sha256.create());
  writeFileSync(resolve(dir, 'ca.key'), key.pem, { mode: 0o600 });
  writeFileSync(ca.certFile, pki.certificateToPem(cert), { mode: 0o644 });
  return ca;
}

/**
 * A server certificate for one service on one machine, signed by the deployment CA, valid for the
 * machine's addresses: `<dir>/<name>.pem` holds the certificate and then its key (HAProxy's form), owner-only.
 * Kept once issued, unless the addresses changed.
 */
export function issueCertificate(ca: DeploymentCa, name: string, addresses: string[]): string {
  const file = resolve(ca.dir, `${name}.pem`);
  if (existsSync(file)) {
    const issued = pki.certificateFromPem(readFileSync(file, 'utf8'));
    const alt = issued.getExtension('subjectAltName') as { altNames?: { ip?: string }[] } | null;
    const ips = (alt?.altNames ?? []).map((a) => a.ip).filter(Boolean);
    if (addresses.every((a) => ips.includes(a))) return file;
  }
  const caCert = pki.certificateFromPem(readFileSync(ca.certFile, 'utf8'));
  const caKey = pki.privateKeyFromPem(readFileSync(resolve(ca.dir, 'ca.key'), 'utf8'));
  const key = rsaKey();
  const cert = newCertificate(key.publicKey, 2);
  cert.setSubject([{ name: 'commonName', value: name }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: addresses.map((ip) => ({ type: 7, ip })) },
  ]);
  cert.sign(caKey, md.sha256.create());
  writeFileSync(file, `${pki.certificateToPem(cert)}${key.pem}`, { mode: 0o600 });
  return file;
}
