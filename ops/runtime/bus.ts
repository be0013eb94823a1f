import { connect, type NatsConnection } from 'nats';
import { UnavailableError } from './errors.js';
import { maskUrl, parseTransportUrl } from './urls.js';

export type { NatsConnection, Subscription } from 'nats';

export interface BusOptions {
  name: string;
  /** Keep trying to reconnect forever (services) or give up at once (probes, CLI). */
  reconnect?: boolean;
  timeoutMs?: number;
}

/** Connects to a cell's NATS server. */
export async function connectBus(url: string, options: BusOptions): Promise<NatsConnection> {
  const { servers } = parseTransportUrl(url);
  try {
    return await connect({
      servers,
      name: options.name,
      timeout: options.timeoutMs ?? 3000,
      reconnect: options.reconnect ?? true,
      maxReconnectAttempts: options.reconnect === false ? 0 : -1,
      waitOnFirstConnect: false,
      // No stack captured per request (nats.js builds an Error for each one): about 4% of a host's
      // CPU in a boot storm. An RPC failure names its method and subject instead (ops/runtime/rpc.ts).
      noAsyncTraces: true,
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new UnavailableError(`message bus ${maskUrl(url)} does not answer: ${reason}`, { cause });
  }
}

/** Connects, round-trips once to the server, and closes: is this bus up? */
export async function pingBus(url: string, timeoutMs = 3000): Promise<void> {
  const nc = await connectBus(url, { name: 'cellstack-ping', reconnect: false, timeoutMs });
  try {
    await nc.flush();
  } finally {
    await nc.close();
  }
}
