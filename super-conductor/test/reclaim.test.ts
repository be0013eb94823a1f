import test from 'ava';
import { TestDeployment } from '../../ops/testing/index.js';

// Soft deletes last 2 seconds here; the super-conductor looks as often.
let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 2 }] }],
    config: { compute: { reclaim_instance_interval: 2 } },
  });
});
test.after.always(() => d?.stop());

const act = (id: string, action: Record<string, unknown>) => d.request('POST', `/v2.1/servers/${id}/action`, action);

async function active(name: string): Promise<string> {
  const id = (await d.boot({ name })).body.server.id;
  await d.waitForStatus(id, ['ACTIVE']);
  return id;
}

test.serial('soft delete - DELETE keeps the server SOFT_DELETED, powered off, quota held; restore brings it back', async (t) => {
  const id = await active('keeper');
  t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
  const soft = await d.settle(id, 'SOFT_DELETED');
  t.is(soft['OS-EXT-STS:power_state'], 4);
  t.is((await d.usage('p1'))['instances'], 1, 'its quota is still held');
  t.true((await d.allocations(id)).length > 0);
  const res = await act(id, { restore: null });
  t.is(res.status, 202, JSON.stringify(res.body));
  const back = await d.settle(id, 'ACTIVE');
  t.is(back['OS-EXT-STS:power_state'], 1);
  const restoreAgain = await act(id, { restore: null });
  t.is(restoreAgain.status, 409);
  t.regex(JSON.stringify(restoreAgain.body), /Cannot 'restore' instance .* while it is in vm_state active/);
  const actions = await d.request<{ instanceActions: { action: string }[] }>('GET', `/v2.1/servers/${id}/os-instance-actions`);
  t.deepEqual(actions.body.instanceActions.map((a) => a.action).slice(0, 2).sort(), ['delete', 'restore']);
  await d.request('POST', `/v2.1/servers/${id}/action`, { forceDelete: null });
  await d.waitForStatus(id, ['DELETED']);
});

test.serial('soft delete - forceDelete ends a SOFT_DELETED server at once; the reclaim ends the others after the interval', async (t) => {
  const forced = await active('forced');
  const left = await active('left');
  for (const id of [forced, left]) t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
  await d.settle(forced, 'SOFT_DELETED');
  t.is((await act(forced, { forceDelete: null })).status, 202);
  await d.waitForStatus(forced, ['DELETED'], 5_000);
  t.is((await d.settle(left, 'SOFT_DELETED'))['status'], 'SOFT_DELETED');
  await d.waitForStatus(left, ['DELETED'], 20_000);
  t.deepEqual(await d.allocations(left), []);
  t.is((await d.usage('p1'))['instances'], 0, 'the quota is given back');
});

test.serial('soft delete - a server that never ran is deleted outright', async (t) => {
  await d.stopSuperConductors();
  try {
    const id = (await d.boot({ name: 'never' })).body.server.id;
    t.is((await d.request('DELETE', `/v2.1/servers/${id}`)).status, 204);
    t.is((await d.show(id)).status, 404);
  } finally {
    await d.startSuperConductor();
  }
});
