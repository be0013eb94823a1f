import type { CellRegistry } from '../../cells/index.js';
import { ServerCreator, type DeleteDeps } from '../../compute/index.js';
import type { ApiDatabase } from '../../db/index.js';
import { IdentityService } from '../../identity/index.js';
import type { NetworkDatabase } from '../../network/index.js';
import type { Config, Logger } from '../../../ops/runtime/index.js';
import { MoveQueue, type BuildQueue } from '../../../super-conductor/queue/index.js';
import { VolumeService } from '../../volume/index.js';

/** Everything routes reach, built once at start-up. */
export interface ApiServices {
  config: Config;
  api: ApiDatabase;
  /** The network service's database (api-cell/network). */
  network: NetworkDatabase;
  registry: CellRegistry;
  queue: BuildQueue;
  moves: MoveQueue;
  publicUrl: string;
  creator: ServerCreator;
  identity: IdentityService;
  /** The Block Storage API's service: its own database and the volume files. */
  volumes: VolumeService;
  delete(log: Logger): DeleteDeps;
  /** Seconds without a heartbeat after which a host is down, in ms. */
  serviceDownTimeMs: number;
}

export function apiServices(config: Config, api: ApiDatabase, network: NetworkDatabase, registry: CellRegistry, queue: BuildQueue, publicUrl: string, log: Logger): ApiServices {
  return {
    config,
    api,
    network,
    registry,
    queue,
    moves: new MoveQueue({ redisUrl: config.redis.url, prefix: config.redis.queue_prefix, attempts: config.super_conductor.job_attempts }),
    publicUrl,
    creator: new ServerCreator({ api, network, registry, queue, config, log }),
    identity: new IdentityService(api, config, publicUrl, log),
    volumes: new VolumeService(config, api, log, { poolMax: config.database.pool_max, connectTimeoutMs: config.database.connect_timeout_ms }),
    delete: (log) => ({ api, network, registry, terminateTimeoutMs: config.api.terminate_timeout_ms, log }),
    serviceDownTimeMs: config.compute.service_down_time * 1000,
  };
}
