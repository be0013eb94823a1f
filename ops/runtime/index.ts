export { configKeys, ConfigSchema, type ConfigKey } from './config-schema.js';
export { loadConfig, sampleConfig, type Config, type LoadConfigOptions } from './config.js';
export {
  CellstackError,
  ConflictError,
  errorCode,
  errorMessage,
  ForbiddenError,
  ifNotFound,
  InvalidInputError,
  isUnavailable,
  NotFoundError,
  QuotaExceededError,
  UnauthorizedError,
  UnavailableError,
} from './errors.js';
export { createLogger, silentLogger, type Logger } from './log.js';
export { Counter, createMetricsRegistry, Gauge, Histogram, Registry, serveMetrics } from './metrics.js';
export { Dependencies } from './health.js';
export {
  describeDbError,
  dropDatabase,
  ensureDatabase,
  openDatabase,
  pingDatabase,
  probeDatabase,
  type DatabaseOptions,
} from './db.js';
export { connectBus, pingBus, type BusOptions, type NatsConnection, type Subscription } from './bus.js';
export { runService, type RunningService, type ServiceContext, type ServiceDefinition } from './service.js';
export { maskUrl, parseDatabaseUrl, parseListen, parseTransportUrl, type DatabaseTarget } from './urls.js';
export { applyMigrations, migrationStatus, syncDatabase, type Migration, type MigrationStatus, type SyncResult } from './migrate.js';
export { column, dropColumns, softDelete, timestamps } from './columns.js';
export { pingRedis } from './redis.js';
export {
  callRpc,
  castRpc,
  isNoResponders,
  RemoteError,
  serveRpc,
  type RpcContext,
  type RpcEnvelope,
  type RpcMethod,
  type RpcMethods,
  type ServeOptions,
} from './rpc.js';
export { execute, fastSelect, inList, placeholders, select, type Runner } from './sql.js';
export { isDeadlock, retryDeadlocks } from './retry.js';
export { Batcher } from './batcher.js';
export { settleAll } from './settle.js';
export { TtlCache } from './ttl-cache.js';
