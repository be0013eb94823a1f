import { COMPUTE_BINARY, listServiceRecords } from '../../../child-cell/db/index.js';
import { VmState } from '../../../child-cell/instance/index.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { select } from '../../../ops/runtime-db/index.js';
import type { RequestContext } from '../../context.js';
import { serviceUp } from '../../hosts/index.js';
import { newAdminPass } from '../names.js';
import { checkState, locate } from '../target.js';
import { startMove, type MoveDeps } from './moves.js';

export interface EvacuateRequest {
  host?: string;
  adminPass?: string;
  /** 2.95: the server ends stopped on its new host instead of ACTIVE. */
  stopped?: boolean;
}

/**
 * evacuate (admin): the server's host is down, so the server is rebuilt from its image on
 * another host of its cell, the one named or the scheduler's choice, and ends ACTIVE there
 * (SHUTOFF from 2.95).
 * Refused while the host's compute service is up (409), as Nova does. Answers the password.
 */
export async function evacuateServer(deps: MoveDeps, context: RequestContext, uuid: string, r: EvacuateRequest): Promise<string> {
  const target = await locate(deps, context, uuid, 'evacuate');
  checkState(target, 'evacuate', { vm: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], task: [null] });
  const source = target.instance.host;
  if (!source) throw new ConflictError(`Instance ${uuid} has no host to evacuate from`);
  if (r.host !== undefined) {
    if (r.host === source) throw new InvalidInputError("The target host can't be the same one.");
    const found = await select(deps.api, 'SELECT 1 FROM host_mappings WHERE host = ? AND cell_id = (SELECT id FROM cell_mappings WHERE uuid = ?) LIMIT 1', [r.host, target.cell.uuid]);
    if (found.length === 0) throw new NotFoundError(`Compute host ${r.host} not found.`);
  }
  const services = await deps.registry.withCell(target.cell, ({ db }) => listServiceRecords(db, { host: source, binary: COMPUTE_BINARY }));
  if (services.some((s) => serviceUp(s, deps.config))) throw new ConflictError(`Compute service of ${source} is still in use.`);
  await startMove(deps, context, target, 'evacuation', target.instance.flavor, r.host ?? null, r.stopped ?? false);
  return r.adminPass ?? newAdminPass();
}
