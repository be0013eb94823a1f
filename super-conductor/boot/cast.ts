import type { CellMapping } from '../../api-cell/cells/index.js';
import { ConductorClient } from '../../child-cell/conductor/index.js';
import { ComputeClient, type BuildArgs } from '../../child-cell/compute/index.js';
import { errorMessage, UnavailableError } from '../../ops/runtime/index.js';
import type { BuildDeps } from './deps.js';
import { returnToQueue } from './requeue.js';

export interface CastTarget {
  args: BuildArgs;
  host: string;
  projectId: string;
  userId: string;
  /** The request the build came from; a batch mixes several. */
  requestId: string;
}

/**
 * Hands a build to its host over the cell's bus. A host that does not take it (down, gone, its
 * bus away) counts as down for scheduling at once, and the build is passed on to the alternates
 * that are up by the cell's conductor, the one place a build moves to an alternate (as for a
 * failed spawn). When none takes it, or the cell cannot be asked, no guest was ever started, so
 * the build is not failed: it goes back to the queue to be scheduled again, anywhere.
 */
export async function castBuild(deps: BuildDeps, cell: CellMapping, target: CastTarget): Promise<void> {
  const { host, args, requestId } = target;
  try {
    // The cell's bus being away is the host not taking the build, as far as this build goes.
    const bus = await deps.registry.bus(cell);
    await new ComputeClient(bus, cell.uuid).buildAndRunInstance(host, args, requestId, deps.castTimeoutMs);
    return;
  } catch (err) {
    if (!(err instanceof UnavailableError)) throw err;
    deps.scheduler.markUnreachable(host);
    deps.log.warn({ host, instance: args.instance.uuid, err: errorMessage(err) }, 'host did not take the build; passing it on to an alternate');
    const alternates = args.alternates.filter((a) => deps.scheduler.isUp(a.host));
    const passedTo = alternates.length === 0 ? null : await passOn(deps, cell, target, alternates, errorMessage(err));
    if (passedTo) return;
    await returnToQueue(deps, cell, [{ uuid: args.instance.uuid, triedHosts: [host, ...alternates.map((a) => a.host)] }], `no host of cell ${cell.name} took the build (first tried ${host})`);
  }
}

/** Asks the cell's conductor to pass the build on to the first alternate that takes it; null when none did or no conductor answered. */
async function passOn(deps: BuildDeps, cell: CellMapping, target: CastTarget, alternates: BuildArgs['alternates'], reason: string): Promise<string | null> {
  // Each alternate has castTimeoutMs to take it, and the conductor moves the claim first.
  const timeoutMs = deps.castTimeoutMs * (alternates.length + 1) + 5000;
  try {
    const conductor = new ConductorClient(await deps.registry.bus(cell), cell.uuid);
    const { rescheduled_to: to } = await conductor.passBuildOn({ failed_host: target.host, reason, build: { ...target.args, alternates } }, target.requestId, timeoutMs);
    return to;
  } catch (err) {
    deps.log.warn({ cell: cell.name, instance: target.args.instance.uuid, err: errorMessage(err) }, 'the cell conductor did not pass the build on');
    return null;
  }
}
