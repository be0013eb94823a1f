import type { RpcMethods } from '../../ops/runtime/index.js';
import type { ConductorDeps } from './handlers/deps.js';
import { hostMethods, type HeartbeatBatcher } from './handlers/hosts.js';
import { instanceMethods } from './handlers/instances.js';
import { recoveryMethods } from './handlers/recovery.js';
import { moveMethods } from './handlers/moves.js';
import { rescheduleMethods } from './handlers/reschedule.js';
import { CONDUCTOR_VERSION, PingArgs, type PingResult } from './messages.js';

/** The conductor's methods: the only code in a cell that writes its database on behalf of hosts. */
export function conductorMethods(deps: ConductorDeps, heartbeats: HeartbeatBatcher): RpcMethods {
  return {
    ping: {
      version: CONDUCTOR_VERSION,
      schema: PingArgs,
      handle: async (): Promise<PingResult> => ({ cell: deps.cellUuid, pid: process.pid, version: CONDUCTOR_VERSION }),
    },
    ...hostMethods(deps, heartbeats),
    ...instanceMethods(deps),
    ...recoveryMethods(deps),
    ...rescheduleMethods(deps),
    ...moveMethods(deps),
  };
}
