import { errorMessage, type RpcMethods } from '../../ops/runtime/index.js';
import { buildMethods } from './handlers/build.js';
import type { HostContext } from './handlers/context.js';
import { moveMethods } from './handlers/move.js';
import { powerMethods } from './handlers/power.js';
import { rebuildMethods } from './handlers/rebuild.js';
import { shelveMethods } from './handlers/shelve.js';
import { snapshotMethods } from './handlers/snapshot.js';
import { VirtError } from '../virt/index.js';
import { COMPUTE_BASE_VERSION, COMPUTE_LATEST_VERSION, ConsoleArgs, PingArgs, UptimeArgs, type ConsoleResult, type CrashDumpResult, type DiagnosticsResult, type UptimeResult } from './messages.js';

export type { HostContext } from './handlers/context.js';

/** Every method a compute host serves on its own subject. */
export function computeMethods(ctx: HostContext): RpcMethods {
  return {
    ping: { version: COMPUTE_BASE_VERSION, schema: PingArgs, handle: async () => ({ host: ctx.host }) },
    get_host_uptime: {
      version: COMPUTE_BASE_VERSION,
      schema: UptimeArgs,
      handle: async (): Promise<UptimeResult> => ({ uptime: ctx.driver.hostUptime?.() ?? null }),
    },
    get_console_output: {
      version: COMPUTE_LATEST_VERSION,
      schema: ConsoleArgs,
      handle: async (args: ConsoleArgs): Promise<ConsoleResult> => consoleOutput(ctx, args.instance_uuid),
    },
    trigger_crash_dump: {
      version: COMPUTE_LATEST_VERSION,
      schema: ConsoleArgs,
      handle: async (args: ConsoleArgs): Promise<CrashDumpResult> => crashDump(ctx, args.instance_uuid),
    },
    get_diagnostics: {
      version: COMPUTE_LATEST_VERSION,
      schema: ConsoleArgs,
      handle: async (args: ConsoleArgs): Promise<DiagnosticsResult> => diagnostics(ctx, args.instance_uuid),
    },
    ...buildMethods(ctx),
    ...powerMethods(ctx),
    ...rebuildMethods(ctx),
    ...moveMethods(ctx),
    ...snapshotMethods(ctx),
    ...shelveMethods(ctx),
  };
}

async function consoleOutput(ctx: HostContext, uuid: string): Promise<ConsoleResult> {
  try {
    return { found: true, output: await ctx.driver.consoleOutput(uuid) };
  } catch (err) {
    if (err instanceof VirtError) return { found: false, output: '' };
    throw err;
  }
}

async function diagnostics(ctx: HostContext, uuid: string): Promise<DiagnosticsResult> {
  try {
    const d = await ctx.driver.diagnostics(uuid);
    return { found: true, power_state: ctx.driver.powerState(uuid), uptime_seconds: d.uptimeSeconds, cpu_time_ns: d.cpuTimeNs, disk_read_bytes: d.diskReadBytes, disk_write_bytes: d.diskWriteBytes };
  } catch (err) {
    if (err instanceof VirtError) return { found: false, power_state: 0, uptime_seconds: 0, cpu_time_ns: 0, disk_read_bytes: 0, disk_write_bytes: 0 };
    throw err;
  }
}

/** The NMI is sent at once; the guest's dump and restart go on after the answer. */
function crashDump(ctx: HostContext, uuid: string): CrashDumpResult {
  if (!ctx.driver.guests().includes(uuid)) return { found: false };
  void ctx.driver.triggerCrashDump(uuid).catch((err: unknown) => ctx.log.warn({ instance: uuid, err: errorMessage(err) }, 'crash dump failed'));
  return { found: true };
}
