import type { RpcMethods } from '../../ops/runtime/index.js';
import { buildMethods } from './handlers/build.js';
import type { HostContext } from './handlers/context.js';
import { moveMethods } from './handlers/move.js';
import { powerMethods } from './handlers/power.js';
import { rebuildMethods } from './handlers/rebuild.js';
import { shelveMethods } from './handlers/shelve.js';
import { snapshotMethods } from './handlers/snapshot.js';
import { VirtError } from '../virt/index.js';
import { COMPUTE_VERSION, COMPUTE_VERSION_3, ConsoleArgs, PingArgs, UptimeArgs, type ConsoleResult, type UptimeResult } from './messages.js';

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
    get_console_output: {
      version: COMPUTE_VERSION_3,
      schema: ConsoleArgs,
      handle: async (args: ConsoleArgs): Promise<ConsoleResult> => consoleOutput(ctx, args.instance_uuid),
    },
    ...buildMethods(ctx),
    ...powerMethods(ctx),
    ...rebuildMethods(ctx),
    ...moveMethods(ctx),
    ...snapshotMethods(ctx),
    ...shelveMethods(ctx),
  };
}

function consoleOutput(ctx: HostContext, uuid: string): ConsoleResult {
  try {
    return { found: true, output: ctx.driver.consoleOutput(uuid) };
  } catch (err) {
    if (err instanceof VirtError) return { found: false, output: '' };
    throw err;
  }
}
