import { setTimeout as delay } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { errorMessage, isUnavailable } from './errors.js';
import type { Logger } from './log.js';
import { Gauge, type Registry } from './metrics.js';

const firstWaitMs = 250;
const longestWaitMs = 5000;

/**
 * What a process depends on (its databases, Redis, its bus) and whether each answers now: one
 * gauge `cellstack_dependency_up{dependency}` and a log line at each change ("waiting for ...",
 * "... is back"), so an operator sees what a process is waiting for. A process never gives up
 * on a dependency that is away: it waits with backoff, at start and later.
 */
export class Dependencies {
  private readonly up: Gauge;
  private readonly state = new Map<string, boolean>();
  private readonly stops: (() => void)[] = [];

  constructor(metrics: Registry, private readonly log: Logger) {
    this.up = new Gauge({ name: 'cellstack_dependency_up', help: 'Whether a dependency answers (1) or the process waits for it (0).', labelNames: ['dependency'], registers: [metrics] });
  }

  /** Records whether `name` answers; logs only changes. */
  set(name: string, answers: boolean, why?: string): void {
    const before = this.state.get(name);
    this.state.set(name, answers);
    this.up.set({ dependency: name }, answers ? 1 : 0);
    if (before === answers || (answers && before === undefined)) return;
    if (answers) this.log.info({ dependency: name }, `${name} is back`);
    else this.log.warn({ dependency: name, why }, `waiting for ${name}`);
    // Logs are written a few KiB at a time: an operator looking now must see this line now.
    try {
      this.log.flush();
    } catch {
      // Its stream is not open yet: the line goes out with the first write.
    }
  }

  /**
   * Runs `attempt` until it succeeds, waiting longer each time (up to 5 s) while the error says
   * the dependency is away; any other error (a wrong name, a refused password) is thrown at once.
   */
  async waitFor<T>(name: string, attempt: () => Promise<T>): Promise<T> {
    let waitMs = firstWaitMs;
    for (;;) {
      try {
        const value = await attempt();
        this.set(name, true);
        return value;
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        this.set(name, false, errorMessage(err));
        await delay(waitMs);
        waitMs = Math.min(waitMs * 2, longestWaitMs);
      }
    }
  }

  /** Follows a bus connection's disconnects and reconnects (nats.js reconnects by itself). */
  watchBus(name: string, nc: NatsConnection): void {
    this.set(name, true);
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.set(name, false, `disconnected from ${JSON.stringify(status.data)}`);
        else if (status.type === 'reconnect') this.set(name, true);
      }
    })().catch(() => undefined); // The iterator ends with the connection; nothing to report then.
  }

  /**
   * Runs `ping` (e.g. ops/runtime-db's `pingDatabase`) every `everyMs`: the pool reconnects by
   * itself, this says when it is away. Takes a function so this module needs no database driver.
   */
  watchDatabase(name: string, ping: () => Promise<unknown>, everyMs = 5000): void {
    const timer = setInterval(() => {
      ping().then(
        () => this.set(name, true),
        (err: unknown) => this.set(name, false, errorMessage((err as { cause?: unknown }).cause ?? err)),
      );
    }, everyMs);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
  }

  /** Follows a Redis connection (ioredis reconnects by itself). */
  watchRedis(name: string, connection: { on(event: string, listener: (...args: unknown[]) => void): unknown }): void {
    connection.on('ready', () => this.set(name, true));
    connection.on('close', () => this.set(name, false, 'connection closed'));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
