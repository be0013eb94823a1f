export { TestDeployment, type ApiResponse, type Caller, type CellSpec, type PoolSpec, type TestDeploymentOptions } from './deployment.js';
export { fault } from './fault.js';
export { freePort, freePortRange } from './ports.js';
export { dbServer, natsServerBinary, portOpen, redisUrl, repoRoot, runNode, TestDatabases, TestNats, waitFor, type CliResult } from './services.js';
export { answerShapeErrors, assertShape, shapeErrors } from './shape.js';
export { TcpProxy } from './proxy.js';
