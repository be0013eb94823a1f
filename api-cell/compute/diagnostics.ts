import { ComputeClient, type DiagnosticsResult } from '../../child-cell/compute/index.js';
import type { InstanceDetail } from '../../child-cell/db/index.js';
import { PowerState } from '../../child-cell/instance/index.js';
import { ConflictError, UnavailableError } from '../../ops/runtime/index.js';
import type { RequestContext } from '../context.js';
import type { ActionDeps } from './actions/cast.js';
import type { ShowDeps } from './show.js';
import { invalidState, locate } from './target.js';

/**
 * What the server's hypervisor tells of it (Nova's get_diagnostics), with the instance it is
 * about. Only a running server has any (409 otherwise, or while its host does not answer).
 */
export async function serverDiagnostics(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string): Promise<{ instance: InstanceDetail; diagnostics: DiagnosticsResult }> {
  const target = await locate(deps, context, uuid, 'get_diagnostics');
  const { host, power_state: power } = target.instance;
  if (!host) throw new ConflictError(`Instance ${uuid} is not ready`);
  if (power !== PowerState.RUNNING) throw invalidState('get_diagnostics', uuid, 'power_state', String(power));
  let diagnostics: DiagnosticsResult;
  try {
    const client = new ComputeClient(await deps.registry.bus(target.cell), target.cell.uuid);
    diagnostics = await client.getDiagnostics(host, uuid, context.requestId, deps.castTimeoutMs);
  } catch (err) {
    if (!(err instanceof UnavailableError)) throw err;
    throw new ConflictError(`Compute host ${host} is not answering; the diagnostics of instance ${uuid} cannot be read`, { cause: err });
  }
  if (!diagnostics.found) throw new ConflictError(`Instance ${uuid} is not ready`);
  return { instance: target.instance, diagnostics };
}
