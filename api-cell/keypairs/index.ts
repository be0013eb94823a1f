export { generateSshKeyPair, sshFingerprint, type GeneratedKeyPair } from './ssh.js';
export {
  createKeypair,
  deleteKeypair,
  findKeypair,
  listKeypairs,
  type Keypair,
  type KeypairType,
  type NewKeypair,
} from './store.js';
export { generateX509KeyPair, x509Fingerprint } from './x509.js';
