import type { Build } from '../../api-cell/builds/index.js';
import { allocateServerPorts, type ServerPorts } from '../../api-cell/network/index.js';
import { freeAllocations } from '../../api-cell/placement/index.js';
import { errorMessage, isUnavailable } from '../../ops/runtime/index.js';
import type { Placement } from '../scheduler/index.js';
import type { BuildDeps } from './deps.js';

const portsOf = (p: Placement): ServerPorts => ({
  server_uuid: p.spec.instance_uuid,
  project_id: p.spec.project_id,
  host: p.host.host,
  zone: p.host.availabilityZone,
  nics: p.spec.requested_networks ?? [],
  security_groups: p.spec.security_group_ids ?? [],
});

/**
 * Makes and binds the ports of a batch's placed builds, once their hosts are known: one
 * network transaction for the whole batch. When that fails (an address taken meanwhile, a user's
 * port claimed by another boot) each reservation is tried alone, and one whose ports cannot be
 * made gives its claims back and is buried with the reason, as a reservation below min_count is.
 */
export async function allocateNetworks(deps: BuildDeps, placed: Placement[], builds: Map<string, Build>): Promise<{ placed: Placement[]; failed: { build: Build; reason: string; message: string }[] }> {
  const wanting = placed.filter((p) => (p.spec.requested_networks ?? []).length > 0);
  if (wanting.length === 0) return { placed, failed: [] };
  try {
    await allocateServerPorts(deps.network, wanting.map(portsOf));
    return { placed, failed: [] };
  } catch (err) {
    // The network database away is no reason to fail builds: the job is tried again later.
    if (isUnavailable(err)) throw err;
    deps.log.warn({ count: wanting.length, err: errorMessage(err) }, "a batch's ports could not be made at once; trying each reservation alone");
  }
  const byReservation = new Map<string, Placement[]>();
  for (const p of wanting) byReservation.set(p.spec.reservation_id, [...(byReservation.get(p.spec.reservation_id) ?? []), p]);
  const refused = new Map<string, string>();
  for (const [reservation, group] of byReservation) {
    await allocateServerPorts(deps.network, group.map(portsOf)).catch((err: unknown) => {
      if (isUnavailable(err)) throw err;
      refused.set(reservation, `Failed to allocate the network(s): ${errorMessage(err)}`);
    });
  }
  const giveBack = placed.filter((p) => refused.has(p.spec.reservation_id));
  await freeAllocations(deps.api, giveBack.map((p) => p.spec.instance_uuid));
  return {
    placed: placed.filter((p) => !refused.has(p.spec.reservation_id)),
    failed: giveBack.flatMap((p) => {
      const build = builds.get(p.spec.instance_uuid);
      // Nova's words when the network cannot be allocated; the reason stays in the fault's details.
      return build ? [{ build, reason: refused.get(p.spec.reservation_id) ?? '', message: `Build of instance ${build.instance.uuid} aborted: Failed to allocate the network(s), not rescheduling.` }] : [];
    }),
  };
}
