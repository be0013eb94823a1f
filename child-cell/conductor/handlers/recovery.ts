import type { RpcMethods } from '../../../ops/runtime/index.js';
import { instancesOnHosts } from '../../db/index.js';
import { CONDUCTOR_VERSION, HostInstancesArgs, type HostInstance } from '../messages.js';
import type { ConductorDeps } from './deps.js';

/** What a restarting compute pool asks to find its instances again (a read: safe to repeat). */
export function recoveryMethods(deps: ConductorDeps): RpcMethods {
  return {
    host_instances: {
      version: CONDUCTOR_VERSION,
      schema: HostInstancesArgs,
      handle: (args: HostInstancesArgs): Promise<HostInstance[]> => instancesOnHosts(deps.db, args.hosts),
    },
  };
}
