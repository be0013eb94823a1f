import { getServer, recordProject } from '../../../compute/index.js';
import { changeServerGroup } from '../../../network/index.js';
import { requireMember } from '../../policy.js';
import type { ApiServices } from '../services.js';
import type { ActionHandler } from './types.js';

/** addSecurityGroup / removeSecurityGroup: the group put on or taken off every port of the server (Nova's os-security-groups actions). */
export function securityGroupActions(services: ApiServices): Record<string, ActionHandler> {
  const change = (add: boolean): ActionHandler => async ({ context, uuid, args }) => {
    requireMember(context, `os_compute_api:os-security-groups:${add ? 'add' : 'remove'}`);
    const record = await getServer(services, context, uuid);
    await changeServerGroup(services.network, uuid, recordProject(record), (args as { name: string }).name, add);
  };
  return { addSecurityGroup: change(true), removeSecurityGroup: change(false) };
}
