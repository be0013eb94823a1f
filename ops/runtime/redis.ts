import type { RedisOptions } from 'ioredis';
import { InvalidInputError, UnavailableError } from './errors.js';
import { maskUrl } from './urls.js';

/**
 * How to reach the Redis a URL names: `redis://[:pass@]host:port/db` is one server;
 * `redis+sentinel://[:pass@]h1:26379,h2:26379/<master>/<db>` asks those Sentinels which server is
 * the master `<master>` now, and asks again after a failover (ioredis follows it).
 */
export function redisTarget(url: string): string | RedisOptions {
  const match = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/i.exec(url);
  if (!match) {
    if (/^redis\+sentinel:/i.test(url)) throw new InvalidInputError(`Redis URL ${maskUrl(url)} must be redis+sentinel://host:port[,host:port...]/<master name>[/<db>]`);
    return url;
  }
  const [, auth, hosts = '', name = '', db] = match;
  const sentinels = hosts.split(',').map((member) => {
    const found = /^([^:]+)(?::(\d{1,5}))?$/.exec(member);
    if (!found) throw new InvalidInputError(`Redis URL ${maskUrl(url)} has a Sentinel that is not host:port ("${member}")`);
    return { host: found[1] ?? '', port: Number(found[2] ?? 26379) };
  });
  const password = auth ? decodeURIComponent(auth.slice(auth.indexOf(':') + 1)) : undefined;
  return {
    sentinels,
    name: decodeURIComponent(name),
    db: Number(db ?? 0),
    ...(password ? { password, sentinelPassword: password } : {}),
    // A connection left on a master that Sentinel demoted answers READONLY: ask the Sentinels again, resend.
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
  };
}

/** Connects once, PINGs, and disconnects: does Redis answer? */
export async function pingRedis(url: string, timeoutMs = 3000): Promise<void> {
  const { Redis } = await import('ioredis');
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  };
  const target = redisTarget(url);
  const client = typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options, sentinelRetryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (cause) {
    throw new UnavailableError(`Redis ${maskUrl(url)} does not answer: ${(cause as Error).message}`, { cause });
  } finally {
    client.disconnect();
  }
}
