import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's blocking
 * commands need; callers that must fail fast (the API enqueuing) set their own timeouts.
 */
export function redisConnection(url: string, name: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  redis.on('error', () => undefined);
  return redis;
}
