import { RemoteError, type Logger } from '../../../ops/runtime/index.js';
import type { ConductorClient } from '../../conductor/index.js';
import type { ComputeClient } from '../client.js';
import type { VirtDriver } from '../../virt/index.js';

/** What one host's handlers need. */
export interface HostContext {
  host: string;
  driver: VirtDriver;
  conductor: ConductorClient;
  /** Other hosts of the same cell (a move's source and destination talk directly). */
  peers: ComputeClient;
  log: Logger;
  /** Instances this host is building or has, so a duplicated message does nothing new. */
  instances: Map<string, 'building' | 'running' | 'deleting'>;
  /** A host that misbehaves on purpose: builds whose first cast it took and forgot. */
  lostCasts?: Set<string>;
  onBuilt?: (ok: boolean) => void;
}

/** The conductor refused a write because the instance moved on (deleted, or changed by another request). */
export const isStateConflict = (err: unknown): boolean => err instanceof RemoteError && err.code === 'unexpected_state';

/** The same work asked for again while it runs waits for that run instead of starting another. */
export function joinRun<T>(running: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let work = running.get(key);
  if (!work) {
    work = start().finally(() => running.delete(key));
    running.set(key, work);
  }
  return work;
}
