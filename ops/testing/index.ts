export { dbServer, freePort, natsServerBinary, redisUrl, repoRoot, runNode, TestDatabases, TestNats, type CliResult } from './services.js';
