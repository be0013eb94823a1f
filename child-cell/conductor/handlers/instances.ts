import { Batcher, type RpcMethods } from '../../../ops/runtime/index.js';
import { applyInstanceWrites, recordActionEvent, softDeleteInstances, type InstanceWrite, type StateExpectation } from '../../db/index.js';
import { CONDUCTOR_VERSION, InstanceDestroyArgs, InstanceUpdateArgs } from '../messages.js';
import type { ConductorDeps } from './deps.js';

interface PendingWrite {
  write: InstanceWrite;
  error?: Error | undefined;
}

/**
 * Instance writes hosts ask for. Those arriving together are applied in one transaction (one
 * statement per distinct state change), each checking the state it expects, so a burst of
 * builds costs a few statements and running a message twice is harmless.
 */
export function instanceMethods(deps: ConductorDeps): RpcMethods {
  const writes = new Batcher<PendingWrite>(async (batch) => {
    const results = await applyInstanceWrites(deps.db, batch.map((b) => b.write));
    batch.forEach((b, i) => {
      b.error = results[i];
    });
  }, 500);
  return {
    instance_update: {
      version: CONDUCTOR_VERSION,
      schema: InstanceUpdateArgs,
      handle: async (args: InstanceUpdateArgs, context) => {
        const expected: StateExpectation = {};
        if (args.expected_vm_state) expected.vm_state = args.expected_vm_state;
        if (args.expected_task_state) expected.task_state = args.expected_task_state;
        const updates = { ...args.updates };
        // The database's clock stamps launch times, so every host's instances share one clock.
        if ('launched_at' in updates) updates['launched_at'] = 'now';
        const pending: PendingWrite = {
          write: {
            uuid: args.uuid,
            host: args.host,
            requestId: context.requestId,
            updates,
            expected,
            ...(args.event ? { event: { ...args.event, details: args.event.details ?? null } } : {}),
            ...(args.fault ? { fault: { ...args.fault, details: args.fault.details ?? null } } : {}),
          },
        };
        await writes.submit(pending);
        if (pending.error) throw pending.error;
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
