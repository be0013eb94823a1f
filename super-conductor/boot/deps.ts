import type { TaskDeps } from '../deps.js';
import type { BuildJob } from '../queue/index.js';

/** What the build pipeline works with; built once at start-up and passed in. */
export interface BuildDeps extends TaskDeps {
  /** Queues builds handed back (no host took them) as jobs of their own. */
  requeue: (jobs: Omit<BuildJob, 'v'>[], delayMs?: number) => Promise<void>;
  /** How long after it was accepted a build may wait for hosts that did not answer (super_conductor.build_wait_for_hosts_ms). */
  waitForHostsMs: number;
  /** Called with what each job did, for metrics. */
  onBuilt?: (outcome: { placed: number; buried: number; decisionMs: number; conflicts: number; jobs: number }) => void;
}
