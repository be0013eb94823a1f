import type { RpcMethods } from '../../ops/runtime/index.js';
import { buildMethods } from './handlers/build.js';
import type { HostContext } from './handlers/context.js';
import { moveMethods } from './handlers/move.js';
import { powerMethods } from './handlers/power.js';
import { rebuildMethods } from './handlers/rebuild.js';
import { snapshotMethods } from './handlers/snapshot.js';
import { COMPUTE_VERSION, PingArgs, UptimeArgs, type UptimeResult } from './messages.js';

export type { HostContext } from './handlers/context.js';

/** Every method a compute host serves on its own subject. */
export function computeMethods(ctx: HostContext): RpcMethods {
  return {
    ping: { version: COMPUTE_VERSION, schema: PingArgs, handle: async () => ({ host: ctx.host }) },
    get_host_uptime: {
      version: COMPUTE_VERSION,
      schema: UptimeArgs,
      handle: async (): Promise<UptimeResult> => ({ uptime: ctx.driver.hostUptime?.() ?? null }),
    },
    ...buildMethods(ctx),
    ...powerMethods(ctx),
    ...rebuildMethods(ctx),
    ...moveMethods(ctx),
    ...snapshotMethods(ctx),
  };
}
