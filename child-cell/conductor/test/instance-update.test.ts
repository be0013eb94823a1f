import test from 'ava';
import { connectBus, RemoteError, type NatsConnection } from '../../../ops/runtime/index.js';
import { TestDeployment } from '../../../ops/testing/index.js';
import { PowerState, TaskState, VmState } from '../../instance/index.js';
import type { ConductorClient } from '../index.js';

let d: TestDeployment;
let nc: NatsConnection;
let conductor: ConductorClient;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'upd', hosts: 1 }] }] });
  nc = await connectBus(d.cell('one').mapping.transportUrl, { name: 'instance-update-test' });
  conductor = d.conductorClient('one', nc);
});
test.after.always(async () => {
  await nc?.close();
  await d?.stop();
});

/** The host's last write of a build: BUILD/spawning -> ACTIVE. */
const activeWrite = (uuid: string) => ({
  uuid,
  host: 'upd-1',
  updates: { vm_state: VmState.ACTIVE, task_state: null, power_state: PowerState.RUNNING },
  expected_vm_state: [VmState.BUILDING],
  expected_task_state: [TaskState.SPAWNING],
});

test('conductor - an instance update delivered again is no error; one for a deleted instance is a state conflict', async (t) => {
  const res = await d.boot({ name: 'twice-told' });
  const id = res.body.server.id;
  t.is((await d.waitForStatus(id, ['ACTIVE', 'ERROR']))['status'], 'ACTIVE');
  // At-least-once delivery: the same write again finds it done.
  await t.notThrowsAsync(conductor.instanceUpdate(activeWrite(id), 'req-again'));
  t.is((await d.show(id)).body.server['status'], 'ACTIVE');

  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
  await d.waitForStatus(id, ['DELETED']);
  const err = await t.throwsAsync(conductor.instanceUpdate(activeWrite(id), 'req-late'));
  t.true(err instanceof RemoteError);
  t.is((err as RemoteError).code, 'unexpected_state', 'the host sees a conflict (deleted meanwhile), not a failure');
});
