import { Redis } from 'ioredis';
import { redisTarget } from '../../ops/runtime/index.js';

/**
 * A Redis connection for BullMQ: to one server, or through Sentinels to whichever is the master
 * (a redis+sentinel:// URL). `maxRetriesPerRequest: null` is what BullMQ's blocking commands
 * need; callers that must fail fast (the API enqueuing) set their own timeouts.
 */
export function redisConnection(url: string, name: string): Redis {
  const options = { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false };
  const target = redisTarget(url);
  const redis = typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options });
  redis.on('error', () => undefined);
  return redis;
}
