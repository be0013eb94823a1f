// The runtime every process shares: config, logs, metrics, errors, the bus, RPC. It reaches no
// database: that half is ops/runtime-db, which hosts must not import.
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
export { Counter, createMetricsRegistry, dbStatements, Gauge, Histogram, Registry, serveMetrics } from './metrics.js';
export { Dependencies } from './health.js';
export { connectBus, pingBus, type BusOptions, type NatsConnection, type Subscription } from './bus.js';
export { runService, type RunningService, type ServiceContext, type ServiceDefinition } from './service.js';
export { maskUrl, parseDatabaseUrl, parseListen, parseTransportUrl, type DatabaseTarget } from './urls.js';
export { pingRedis, redisTarget } from './redis.js';
export {
  callRpc,
  castRpc,
  errorShape,
  isNoResponders,
  RemoteError,
  serveRpc,
  type RpcContext,
  type RpcErrorShape,
  type RpcEnvelope,
  type RpcMethod,
  type RpcMethods,
  type ServeOptions,
} from './rpc.js';
export { Batcher } from './batcher.js';
export { settleAll } from './settle.js';
export { TtlCache } from './ttl-cache.js';
export { workerCounts } from './cluster.js';
export { portAnswers } from './ports.js';
