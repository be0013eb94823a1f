import { resolve } from 'node:path';
import test from 'ava';
import { repoRoot } from '../../testing/index.js';
import { readChaosScenario, toChaosScenario } from '../scenario.js';
import { planKills, seededRandom } from '../schedule.js';

test('chaos scenario - the shipped scenarios are valid, short has every kind but MariaDB and long every kind twice', (t) => {
  const kinds = (file: string): string[] => planKills(readChaosScenario(resolve(repoRoot, 'ops/chaos/scenarios', file)).kills, 0, () => 0.5).map((k) => k.kind);
  t.deepEqual([...new Set(kinds('short.yaml'))].sort(), ['api-worker', 'cell-conductor', 'compute-pool', 'nats', 'redis', 'super-conductor']);
  const long = kinds('long.yaml');
  for (const kind of ['api-worker', 'cell-conductor', 'compute-pool', 'nats', 'redis', 'super-conductor', 'mariadb']) {
    t.true(long.filter((k) => k === kind).length >= 2, `${kind} is killed twice in long.yaml`);
  }
  t.is(readChaosScenario(resolve(repoRoot, 'ops/chaos/scenarios/long.yaml')).boots.count, 10_000);
});

test('chaos scenario - a kill of a part the deployment lacks, or of an unknown kind, is refused; failure_rate is forced to 0', (t) => {
  t.throws(() => toChaosScenario({ name: 'x', deployment: { cells: 2 }, kills: [{ at: 1, target: 'cell3-nats' }] }), { message: /cell3-nats names a cell/ });
  t.throws(() => toChaosScenario({ name: 'x', kills: [{ at: 1, target: 'super-conductor-3' }] }), { message: /2 super-conductors/ });
  t.throws(() => toChaosScenario({ name: 'x', kills: [{ at: 1, target: 'machine-redis' }] }), { message: /kills\.0\.target/ });
  const s = toChaosScenario({ name: 'x', fake: { failure_rate: 0.5 }, kills: [{ at: 3, target: 'redis' }] });
  t.is(s.fake.failure_rate, 0);
  t.is(s.kills[0]?.restart_after, 5);
  t.is(s.settle_deadline_s, 60);
});

test('chaos schedule - the same seed gives the same jittered kill times, within the jitter, in order', (t) => {
  const kills = toChaosScenario({ name: 'x', kills: [{ at: 20, target: 'redis' }, { at: 2, target: 'mariadb' }, { at: 10, target: 'api-worker' }] }).kills;
  const a = planKills(kills, 3, seededRandom(42));
  const b = planKills(kills, 3, seededRandom(42));
  const c = planKills(kills, 3, seededRandom(43));
  t.deepEqual(a, b);
  t.notDeepEqual(a.map((k) => k.time), c.map((k) => k.time));
  t.deepEqual(a.map((k) => k.target), ['mariadb', 'api-worker', 'redis']);
  for (const k of a) t.true(Math.abs(k.time - k.at) <= 3 && k.time >= 0);
});
