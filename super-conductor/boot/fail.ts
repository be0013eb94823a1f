import { loadBuilds } from '../../api-cell/builds/index.js';
import { freeAllocations } from '../../api-cell/placement/index.js';
import type { BuildJob } from '../queue/index.js';
import { buryInCell0 } from './bury.js';
import type { BuildDeps } from './deps.js';

/** A job that failed for good: its builds still waiting go to cell0 in ERROR, with the reason. */
export async function failReservation(deps: BuildDeps, job: BuildJob, reason: string): Promise<void> {
  const builds = await loadBuilds(deps.api, job.instance_uuids);
  if (builds.length === 0) return;
  await freeAllocations(deps.api, builds.map((b) => b.instance.uuid));
  await buryInCell0(deps, builds.map((build) => ({ build, reason: `the build failed: ${reason}` })));
}
