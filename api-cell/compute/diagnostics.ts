import type { DiagnosticsResult } from '../../child-cell/compute/index.js';
import type { InstanceDetail } from '../../child-cell/db/index.js';
import { PowerState } from '../../child-cell/instance/index.js';
import { ConflictError } from '../../ops/runtime/index.js';
import type { RequestContext } from '../context.js';
import { askHost, type ActionDeps } from './actions/cast.js';
import type { ShowDeps } from './show.js';
import { invalidState, locate } from './target.js';

/**
 * What the server's hypervisor tells of it (Nova's get_diagnostics), with the instance it is
 * about. Only a running server has any (409 otherwise, or while its host does not answer).
 */
export async function serverDiagnostics(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string): Promise<{ instance: InstanceDetail; diagnostics: DiagnosticsResult }> {
  const target = await locate(deps, context, uuid, 'get_diagnostics');
  const power = target.instance.power_state;
  if (target.instance.host && power !== PowerState.RUNNING) throw invalidState('get_diagnostics', uuid, 'power_state', String(power));
  const diagnostics = await askHost(deps, target, 'no diagnostics', (client, host) => client.getDiagnostics(host, uuid, context.requestId, deps.castTimeoutMs));
  if (!diagnostics.found) throw new ConflictError(`Instance ${uuid} is not ready`);
  return { instance: target.instance, diagnostics };
}
