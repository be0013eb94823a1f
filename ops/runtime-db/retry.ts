import { setTimeout as delay } from 'node:timers/promises';

const deadlockCodes = new Set([1213, 1205]);

/** Did MariaDB pick this transaction as a deadlock victim (or time out waiting for a lock)? */
export function isDeadlock(err: unknown): boolean {
  const errno = (err as { parent?: { errno?: number }; errno?: number } | undefined)?.parent?.errno ?? (err as { errno?: number })?.errno;
  return errno !== undefined && deadlockCodes.has(errno);
}

/** Runs a whole transaction again when MariaDB rolled it back as a deadlock victim. */
export async function retryDeadlocks<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (!isDeadlock(err) || attempt >= attempts) throw err;
      await delay(Math.random() * 10 * attempt);
    }
  }
}
