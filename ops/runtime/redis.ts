import { UnavailableError } from './errors.js';
import { maskUrl } from './urls.js';

/** Connects once, PINGs, and disconnects: does Redis answer? */
export async function pingRedis(url: string, timeoutMs = 3000): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
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
