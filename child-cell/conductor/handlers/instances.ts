import type { RpcMethods } from '../../../ops/runtime/index.js';
import { addFaults, recordActionEvent, softDeleteInstances, updateInstance, type StateExpectation } from '../../db/index.js';
import { CONDUCTOR_VERSION, InstanceDestroyArgs, InstanceUpdateArgs } from '../messages.js';
import type { ConductorDeps } from './deps.js';

/** Instance writes hosts ask for; each checks the state it expects, so running twice is harmless. */
export function instanceMethods(deps: ConductorDeps): RpcMethods {
  return {
    instance_update: {
      version: CONDUCTOR_VERSION,
      schema: InstanceUpdateArgs,
      handle: async (args: InstanceUpdateArgs, context) => {
        const expected: StateExpectation = {};
        if (args.expected_vm_state) expected.vm_state = args.expected_vm_state;
        if (args.expected_task_state) expected.task_state = args.expected_task_state;
        const updates: Record<string, unknown> = { ...args.updates };
        for (const key of ['launched_at', 'terminated_at']) {
          if (typeof updates[key] === 'number') updates[key] = new Date(updates[key]);
        }
        const { event, fault } = args;
        await deps.db.sequelize.transaction(async (transaction) => {
          await updateInstance(deps.db, args.uuid, updates, expected, transaction);
          if (event && context.requestId) {
            const e = { instance_uuid: args.uuid, request_id: context.requestId, action: event.action, event: event.event };
            await recordActionEvent(deps.db, { ...e, host: args.host, result: event.result, details: event.details ?? null }, transaction);
          }
          if (fault) await addFaults(deps.db, [{ instance_uuid: args.uuid, ...fault, host: args.host }], transaction);
        });
        return null;
      },
    },
    instance_destroy: {
      version: CONDUCTOR_VERSION,
      schema: InstanceDestroyArgs,
      handle: async (args: InstanceDestroyArgs, context) => {
        const deleted = (await softDeleteInstances(deps.db, [args.uuid])) > 0;
        if (context.requestId) {
          await recordActionEvent(deps.db, {
            instance_uuid: args.uuid,
            request_id: context.requestId,
            action: 'delete',
            event: 'compute_terminate_instance',
            host: args.host,
            result: 'Success',
          });
        }
        return { deleted };
      },
    },
  };
}
