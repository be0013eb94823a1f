import test from 'ava';
import { seededRandom } from '../../../ops/chaos/index.js';
import { TestDeployment } from '../../../ops/testing/index.js';

let d: TestDeployment;
let server = '';
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 2 }] }] });
  server = (await d.boot({ name: 'target' })).body.server.id;
  await d.waitForStatus(server, ['ACTIVE']);
});
test.after.always(() => d?.stop());

// A seeded generator (the chaos harness's), so a failing run can be replayed with CELLSTACK_FUZZ_SEED.
const random = seededRandom;

const paths = [
  '/v2.1/servers', '/v2.1/servers/detail', '/v2.1/servers/{id}', '/v2.1/servers/{id}/action', '/v2.1/servers/{id}/metadata',
  '/v2.1/servers/{id}/metadata/{key}', '/v2.1/servers/{id}/tags', '/v2.1/servers/{id}/tags/{key}', '/v2.1/servers/{id}/os-instance-actions',
  '/v2.1/servers/{id}/os-instance-actions/{key}', '/v2.1/servers/{id}/migrations', '/v2.1/os-migrations', '/v2.1/flavors', '/v2.1/flavors/detail',
  '/v2.1/flavors/{key}', '/v2.1/os-keypairs', '/v2.1/os-keypairs/{key}', '/v2.1/os-aggregates', '/v2.1/os-hypervisors', '/v2.1/os-services',
  '/v2.1/os-server-groups', '/v2.1/os-quota-sets/{key}', '/v2.1/limits', '/v2.1/os-availability-zone', '/v2.1/os-simple-tenant-usage',
  '/identity/v3/auth/tokens', '/v3', '/placement/allocations/{id}', '/v2.1', '/', '/healthcheck', '/v2.1/{key}', '/{key}',
];
const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const strings = ['', ' ', 'x', '%00', '../../etc/passwd', '\u0000', 'é', '🔥', 'a'.repeat(300), '1e309', '-1', 'null', 'true', '[]', '{}', "' OR 1=1 --", '<script>', '*', '?', '#'];
const actions = ['os-stop', 'os-start', 'reboot', 'pause', 'unpause', 'suspend', 'resume', 'lock', 'unlock', 'rebuild', 'resize', 'confirmResize', 'revertResize', 'migrate', 'os-migrateLive', 'forceDelete', 'createImage', 'rescue', 'unrescue', 'shelve', 'shelveOffload', 'unshelve', 'evacuate', 'os-resetState', 'trigger_crash_dump', 'changePassword', 'os-getConsoleOutput', 'os-getVNCConsole', 'os-getSerialConsole', ''];
const keys = ['server', 'name', 'flavorRef', 'imageRef', 'networks', 'metadata', 'min_count', 'max_count', 'tags', 'auth', 'identity', 'meta', 'flavor', 'keypair', 'aggregate', 'quota_set', 'server_group', ...actions];

function value(r: () => number, depth: number): unknown {
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)] as T;
  switch (Math.floor(r() * (depth > 3 ? 5 : 8))) {
    case 0: return pick(strings);
    case 1: return Math.floor(r() * 2 ** 40) * (r() < 0.5 ? -1 : 1);
    case 2: return r() < 0.5;
    case 3: return null;
    case 4: return r() * 1e6;
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) + 1 }, () => [pick(keys), value(r, depth + 1)]));
  }
}

function body(r: () => number): string | undefined {
  const roll = r();
  if (roll < 0.15) return undefined;
  if (roll < 0.25) return '{"server": {"name": "half';
  if (roll < 0.3) return String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(r() * 256)));
  if (roll < 0.45) return JSON.stringify({ [actions[Math.floor(r() * actions.length)] ?? 'x']: value(r, 2) });
  if (roll < 0.6) return JSON.stringify({ server: { name: 'fz', flavorRef: value(r, 3), imageRef: r() < 0.5 ? d.image.uuid : value(r, 3), networks: 'none', ...(value(r, 2) as object) } });
  return JSON.stringify(value(r, 0));
}

test('fuzz - 5,000 random and malformed requests get no 5xx, and the API stays healthy', async (t) => {
  const seed = Number(process.env['CELLSTACK_FUZZ_SEED'] ?? Date.now() % 100000);
  t.log(`seed ${seed}`);
  const r = random(seed);
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  const one = async (): Promise<void> => {
    const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)] as T;
    const path = pick(paths)
      .replace('{id}', r() < 0.6 ? server : encodeURIComponent(pick(strings)))
      .replace('{key}', encodeURIComponent(pick(strings)) || 'k');
    const query = r() < 0.3 ? `?${pick(['limit', 'marker', 'sort_key', 'status', 'name', 'changes-since', 'all_tenants', 'flavor'])}=${encodeURIComponent(pick(strings))}` : '';
    const method = pick(methods);
    const payload = method === 'GET' || method === 'HEAD' ? undefined : body(r);
    const headers: Record<string, string> = {};
    if (r() < 0.2) headers['openstack-api-version'] = `compute ${pick(['2.1', '2.47', '2.96', '2.97', 'latest', 'x.y', '3.0', ''])}`;
    if (payload !== undefined) headers['content-type'] = r() < 0.9 ? 'application/json' : pick(['text/plain', 'application/xml', '']);
    const roles = pick(['member', 'reader', 'admin', '']);
    try {
      const res = await fetch(`${d.apiUrl}${path}${query}`, {
        method,
        headers: { 'x-user-id': 'fuzz', 'x-project-id': r() < 0.5 ? 'p1' : 'fz', 'x-roles': roles, ...headers },
        ...(payload === undefined ? {} : { body: payload }),
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) failures.push(`${method} ${path}${query} ${payload?.slice(0, 120) ?? ''} -> ${res.status}`);
    } catch (err) {
      failures.push(`${method} ${path}: ${(err as Error).message}`);
    }
  };
  for (let done = 0; done < 5000; done += 25) await Promise.all(Array.from({ length: 25 }, one));
  t.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  t.deepEqual(failures.slice(0, 10), [], `seed ${seed}`);
  t.is((await fetch(`${d.apiUrl}/healthcheck`)).status, 200);
  const after = await d.boot({ name: 'after-fuzz' });
  t.is(after.status, 202, 'the API still boots servers');
  t.is((await d.waitForStatus(after.body.server.id, ['ACTIVE', 'ERROR']))['status'], 'ACTIVE');
});
