import type { CellDatabase } from '../db/index.js';
import type { RpcMethods } from '../../ops/runtime/index.js';
import { CONDUCTOR_VERSION, PingArgs, type PingResult } from './messages.js';

export interface ConductorDeps {
  cellUuid: string;
  db: CellDatabase;
}

/** The conductor's methods; the only code in a cell that writes its database for hosts. */
export function conductorMethods(deps: ConductorDeps): RpcMethods {
  return {
    ping: {
      version: CONDUCTOR_VERSION,
      schema: PingArgs,
      handle: async (): Promise<PingResult> => ({ cell: deps.cellUuid, pid: process.pid, version: CONDUCTOR_VERSION }),
    },
  };
}
