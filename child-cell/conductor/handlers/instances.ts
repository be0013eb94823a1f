import { Batcher, errorShape, type RpcMethods } from '../../../ops/runtime/index.js';
import { applyInstanceWrites, recordActionEvent, softDeleteInstances, type InstanceWrite, type StateExpectation } from '../../db/index.js';
import { CONDUCTOR_LATEST_VERSION, CONDUCTOR_VERSION, InstanceDestroyArgs, InstanceUpdateArgs, InstanceUpdatesArgs, type InstanceUpdatesResult } from '../messages.js';
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
function pendingWrite(args: InstanceUpdateArgs, requestId: string | undefined): PendingWrite {
  const expected: StateExpectation = {};
  if (args.expected_vm_state) expected.vm_state = args.expected_vm_state;
  if (args.expected_task_state) expected.task_state = args.expected_task_state;
  const updates = { ...args.updates };
  // The database's clock stamps launch times, so every host's instances share one clock.
  if ('launched_at' in updates) updates['launched_at'] = 'now';
  return {
    write: {
      uuid: args.uuid,
      host: args.host,
      requestId,
      updates,
      expected,
      ...(args.event ? { event: { ...args.event, details: args.event.details ?? null } } : {}),
      ...(args.fault ? { fault: { ...args.fault, details: args.fault.details ?? null } } : {}),
    },
  };
}

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
        const pending = pendingWrite(args, context.requestId);
        await writes.submit(pending);
        if (pending.error) throw pending.error;
        return null;
      },
    },
    instance_updates: {
      version: CONDUCTOR_LATEST_VERSION,
      schema: InstanceUpdatesArgs,
      handle: async (args: InstanceUpdatesArgs, context): Promise<InstanceUpdatesResult> => {
        const pendings = args.updates.map((u) => pendingWrite(u, u.request_id ?? context.requestId));
        // Submitted together, they share the conductor's next transaction (with other hosts' too).
        const errors = await Promise.all(writes.submitAll(pendings).map((done, i) => done.then(() => pendings[i]?.error, (err: unknown) => err)));
        return { results: errors.map((err) => (err === undefined ? { ok: true } : { ok: false, error: errorShape(err) })) };
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
