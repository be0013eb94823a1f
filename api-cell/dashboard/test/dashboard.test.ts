import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import type { Page } from 'playwright-core';
import type { Server } from 'node:http';
import { createLogger, loadConfig, createMetricsRegistry, serveMetrics, type RunningService } from '../../../ops/runtime/index.js';
import { dbServer, freePort, repoRoot, TcpProxy, TestDeployment, waitFor } from '../../../ops/testing/index.js';
import { assignRole, bootstrapIdentity, createProject, createUser, findRole } from '../../identity/index.js';
import { startDashboard } from '../service.js';
import { launchChromium, type Browser } from '../../../ops/testing/browser.js';

// Cell "two" reaches its database through a relay this file cuts, and has a NATS server of its own it stops.
const server = new URL(dbServer);
const relay = new TcpProxy(server.hostname, Number(server.port || 3306));
/** The API database is reached through one too: the last test takes it away. */
const apiRelay = new TcpProxy(server.hostname, Number(server.port || 3306));
const through = (proxy: TcpProxy): string => `${server.protocol}//${server.username ? `${server.username}${server.password ? `:${server.password}` : ''}@` : ''}127.0.0.1:${proxy.port}`;
let d: TestDeployment;
let dashboard: RunningService;
let browser: Browser;
let page: Page;
let base = '';
/** The conductors' /metrics, served as the launcher's processes serve theirs. */
const metricsServers: Server[] = [];
/** CELLSTACK_DASHBOARD_SCREENSHOTS=docs/dashboard saves a screenshot of each page (the ones in the docs). */
const shots = process.env['CELLSTACK_DASHBOARD_SCREENSHOTS'];

async function shot(name: string): Promise<void> {
  if (!shots) return;
  const dir = join(repoRoot, shots);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

test.before(async () => {
  await relay.start();
  await apiRelay.start();
  d = await TestDeployment.start({
    apiDbServer: through(apiRelay),
    cells: [
      { name: 'one', pools: [{ prefix: 'one-host', hosts: 2 }] },
      { name: 'two', pools: [{ prefix: 'two-host', hosts: 2 }], dbServer: through(relay) },
    ],
    zones: { az2: ['two-host-1'] },
    config: { api: { auth_strategy: 'keystone' }, identity: { token_secret: 'dashboard-test-secret' }, database: { connect_timeout_ms: 1000 } },
  });
  await bootstrapIdentity(d.api, { password: 'admin-password' });
  const demo = await createProject(d.api, { name: 'demo' });
  const alice = await createUser(d.api, { name: 'alice', password: 'alice-password', defaultProject: demo.id });
  await assignRole(d.api, alice.id, demo.id, (await findRole(d.api, 'member')).id);
  await d.quota(demo.id, { instances: -1, cores: -1, ram: -1 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}/dashboard`;
  const targets: string[] = [];
  for (const cell of ['one', 'two']) {
    const metricsPort = await freePort();
    const registry = d.cell(cell).conductorMetrics[0];
    if (registry) metricsServers.push(await serveMetrics(registry, `127.0.0.1:${metricsPort}`));
    targets.push(`${cell}=http://127.0.0.1:${metricsPort}/metrics`);
  }
  const config = loadConfig({
    env: {},
    overrides: {
      ...d.config,
      api: { ...d.config.api, public_url: d.apiUrl },
      dashboard: { listen: `127.0.0.1:${port}`, probe_interval_ms: 500, probe_timeout_ms: 1000, conductor_metrics: targets.join(',') },
    },
  });
  dashboard = await startDashboard({ config, log: createLogger('dashboard', process.env['CELLSTACK_TEST_LOG'] ?? 'silent'), metrics: createMetricsRegistry('dashboard'), args: {} });
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
});

test.after.always(async () => {
  await browser?.close();
  await dashboard?.stop();
  for (const server of metricsServers) await new Promise((done) => server.close(done));
  await relay.start().catch(() => undefined);
  await apiRelay.start().catch(() => undefined);
  await d?.stop();
  await relay.cut();
  await apiRelay.cut();
});

async function signIn(user: string, password: string): Promise<void> {
  await page.goto(`${base}/auth/login`);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/auth/login')), page.click('button[type=submit]')]);
}

async function signOut(): Promise<void> {
  await Promise.all([page.waitForURL(/\/auth\/login/), page.click('text=Sign out')]);
}

/** Calls the Compute API as the admin, with a token of the admin's own. */
async function asAdmin<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const auth = { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: 'admin-password' } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } };
  const login = await fetch(`${d.apiUrl}/identity/v3/auth/tokens?nocatalog=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ auth }) });
  const token = login.headers.get('x-subject-token') ?? '';
  return (await d.request<T>(method, path, body, {}, { 'x-auth-token': token, 'openstack-api-version': 'compute 2.87' })).body;
}

/** Presses an action's button on the server's page; the page draws itself again until the server shows `status` with no task. */
async function act(action: string, status: string): Promise<void> {
  await Promise.all([page.waitForURL(new RegExp(`done=${action}`)), page.click(`form[data-action="${action}"] button`)]);
  await page.locator('#status[data-task=""]', { hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: 20_000 });
}

const cellState = (name: string) => page.locator(`#cells tr[data-cell="${name}"]`).getAttribute('data-state');

test.serial('dashboard - the admin signs in with their own password; the token is kept in an HttpOnly, SameSite cookie', async (t) => {
  const first = await page.goto(`${base}/admin/cells`);
  t.regex(page.url(), /\/dashboard\/auth\/login\?next=/, 'no session: the sign-in page');
  t.regex(first?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/, 'no other site may frame the forms');
  t.is(first?.headers()['x-frame-options'], 'DENY');
  await page.fill('#user', 'admin');
  await page.fill('#password', 'wrong');
  await page.click('button[type=submit]');
  t.regex((await page.textContent('[role=alert]')) ?? '', /not right/);
  await signIn('admin', 'admin-password');
  t.regex(page.url(), /\/dashboard\/admin\/cells$/);
  const cookie = (await browser.context.cookies()).find((c) => c.name === 'cellstack_token');
  t.truthy(cookie);
  t.true(cookie?.httpOnly);
  t.is(cookie?.sameSite, 'Strict');
  t.is(await page.evaluate('document.cookie.includes("cellstack_token")'), false, 'scripts cannot read the token');
});

test.serial('dashboard - the cells page shows every cell up, with its hosts, probe times and conductor load', async (t) => {
  await page.goto(`${base}/admin/cells`);
  await page.waitForSelector('#cells tr[data-cell="one"][data-state="up"]');
  await page.waitForSelector('#cells tr[data-cell="two"][data-state="up"]');
  await waitFor(async () => /2 \/ 0 \/ 0/.test((await page.textContent('#cells tr[data-cell="two"]')) ?? ''), 15_000, 'cell two to show its 2 hosts up');
  t.regex((await page.textContent('#cells tr[data-cell="one"]')) ?? '', /ok [\d.]+ ms/);
  await page.locator('#cells tr[data-cell="one"] td.conductor', { hasText: /[\d.]+ msg\/s · [\d.]+% CPU/ }).waitFor({ timeout: 15_000 });
  await shot('cells');
});

test.serial('dashboard - the hosts heat map draws every host; a host page disables and enables it', async (t) => {
  await page.goto(`${base}/admin/hosts`);
  // Waited for in the DOM: a polled page function would be evaluated in the page, which the dashboard's CSP forbids.
  await page.locator('#draw-time', { hasText: /^Drew 4 hosts/ }).waitFor();
  await page.selectOption('#f-cell', { label: 'two' });
  t.is(await page.evaluate('window.heatmapHosts'), 2, 'filtered to cell two');
  await page.selectOption('#f-cell', '');
  await page.selectOption('#f-agg', { label: 'zone-az2' });
  t.is(await page.evaluate('window.heatmapHosts'), 1, 'filtered to the aggregate');
  await page.selectOption('#f-agg', '');
  await page.selectOption('#f-zone', { label: 'az2' });
  t.is(await page.evaluate('window.heatmapHosts'), 1, 'filtered to the zone');
  await page.selectOption('#f-zone', '');
  await shot('hosts');
  await page.goto(`${base}/admin/hosts/two-host-1`);
  t.is(await page.textContent('#host-status'), 'enabled');
  await page.click('button:has-text("Disable")');
  t.regex((await page.textContent('#host-status')) ?? '', /^disabled/);
  const services = await asAdmin<{ services: { host: string; status: string }[] }>('/v2.1/os-services?host=two-host-1');
  t.is(services.services[0]?.status, 'disabled', 'the API says so too');
  await page.click('button:has-text("Enable")');
  t.is(await page.textContent('#host-status'), 'enabled');
});

test.serial('dashboard - the heat map draws 10,000 hosts (a benchmark: its browser time is logged, not asserted)', async (t) => {
  await page.goto(`${base}/admin/hosts`);
  await page.locator('#draw-time', { hasText: /^Drew 4 hosts/ }).waitFor();
  const n = 10_000;
  const fleet = {
    cells: Array.from({ length: 20 }, (_, i) => `cell${i + 1}`),
    zones: ['nova', 'az2'],
    name: Array.from({ length: n }, (_, i) => `host-${i}`),
    cell: Array.from({ length: n }, (_, i) => i % 20),
    zone: Array.from({ length: n }, (_, i) => i % 2),
    state: Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 1 : 0)),
    disabled: Array.from({ length: n }, (_, i) => (i % 89 === 0 ? 1 : 0)),
    cpu: Array.from({ length: n }, (_, i) => (i * 37) % 1001),
    ram: Array.from({ length: n }, (_, i) => (i * 53) % 1001),
    disk: Array.from({ length: n }, (_, i) => (i * 71) % 1001),
    servers: Array.from({ length: n }, (_, i) => i % 9),
  };
  const ms = await page.evaluate((data) => (globalThis as unknown as { heatmapShow(d: unknown): number }).heatmapShow(data), fleet);
  t.is(await page.evaluate('window.heatmapHosts'), n, 'every host drawn');
  t.log(`heat map: ${n} hosts drawn in ${ms.toFixed(1)} ms of browser time`);
  await shot('hosts-10000');
});

test.serial('dashboard - the operator makes and deletes a flavor and an aggregate, makes a project and a member of it, sees images, and sets a quota', async (t) => {
  await page.goto(`${base}/admin/flavors`);
  t.is(await page.locator('#flavors tr[data-name="m1.tiny"]').count(), 1);
  await page.fill('#fl-name', 'dash.small');
  await page.fill('#fl-vcpus', '2');
  await page.fill('#fl-ram', '1024');
  await Promise.all([page.waitForURL(/\/admin\/flavors$/), page.click('button:has-text("Create flavor")')]);
  t.regex((await page.textContent('#flavors tr[data-name="dash.small"]')) ?? '', /2\s*1024/);
  const flavors = await asAdmin<{ flavors: { name: string }[] }>('/v2.1/flavors');
  t.true(flavors.flavors.some((f) => f.name === 'dash.small'), 'the API has it');
  await page.fill('#fl-name', 'm1.tiny');
  const refused = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/admin/flavors') && r.request().method() === 'POST'), page.click('button:has-text("Create flavor")')]);
  t.is(refused[0].status(), 409, 'the API refused a name in use');
  t.regex((await page.textContent('[role=alert]')) ?? '', /m1\.tiny/, 'and the page says why, in its words');
  await page.goto(`${base}/admin/flavors`);
  await Promise.all([page.waitForURL(/\/admin\/flavors$/), page.click('#flavors tr[data-name="dash.small"] button')]);
  t.is(await page.locator('#flavors tr[data-name="dash.small"]').count(), 0);
  await page.goto(`${base}/admin/images`);
  t.regex((await page.textContent('#images')) ?? '', /cirros/);
  await page.goto(`${base}/admin/aggregates`);
  t.regex((await page.textContent('#aggregates')) ?? '', /zone-az2\s*az2\s*1: two-host-1/);
  await page.fill('#ag-name', 'dash-agg');
  await page.fill('#ag-zone', 'az3');
  await Promise.all([page.waitForURL(/\/admin\/aggregates$/), page.click('button:has-text("Create aggregate")')]);
  const made = page.locator('#aggregates tr[data-name="dash-agg"]');
  await made.locator('input[name=host]').fill('one-host-2');
  await Promise.all([page.waitForURL(/\/admin\/aggregates$/), made.locator('button:has-text("Add host")').click()]);
  t.regex((await made.textContent()) ?? '', /az3\s*1: one-host-2/);
  await made.locator('input[name=host]').fill('one-host-2');
  await Promise.all([page.waitForURL(/\/admin\/aggregates$/), made.locator('button:has-text("Remove host")').click()]);
  await Promise.all([page.waitForURL(/\/admin\/aggregates$/), made.locator('button:has-text("Delete")').click()]);
  t.is(await made.count(), 0);
  await page.goto(`${base}/admin/identity`);
  t.regex((await page.textContent('#users')) ?? '', /alice/);
  t.regex((await page.textContent('#projects')) ?? '', /demo/);
  await page.fill('#pr-name', 'web');
  await Promise.all([page.waitForURL(/\/admin\/identity$/), page.click('button:has-text("Create project")')]);
  await page.fill('#us-name', 'bob');
  await page.fill('#us-password', 'bob-password');
  await page.selectOption('#us-project', { label: 'web' });
  await Promise.all([page.waitForURL(/\/admin\/identity$/), page.click('button:has-text("Create user")')]);
  t.regex((await page.textContent('#users tr[data-name="bob"]')) ?? '', /web/);
  const bob = { identity: { methods: ['password'], password: { user: { name: 'bob', domain: { name: 'Default' }, password: 'bob-password' } } }, scope: { project: { name: 'web', domain: { name: 'Default' } } } };
  const login = await fetch(`${d.apiUrl}/identity/v3/auth/tokens?nocatalog=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ auth: bob }) });
  const roles = ((await login.json()) as { token?: { roles?: { name: string }[] } }).token?.roles?.map((r) => r.name) ?? [];
  t.true(roles.includes('member'), `bob signs in to web as a member (${login.status}, roles ${roles.join(', ')})`);
  await Promise.all([page.waitForURL(/\/admin\/quotas\//), page.click('#projects tr[data-name="demo"] a:has-text("Quotas")')]);
  const projectId = page.url().split('/').at(-1) ?? '';
  await page.fill('input[name="instances"]', '5');
  await Promise.all([page.waitForURL(/\/admin\/quotas\//), page.click('button:has-text("Set quotas")')]);
  t.is(await page.inputValue('input[name="instances"]'), '5');
  const quota = await asAdmin<{ quota_set: { instances: number } }>(`/v2.1/os-quota-sets/${projectId}`);
  t.is(quota.quota_set.instances, 5, 'the API has the new quota');
  await page.fill('input[name="instances"]', '-1');
  await Promise.all([page.waitForURL(/\/admin\/quotas\//), page.click('button:has-text("Set quotas")')]);
});

test.serial('dashboard - the activity page counts boots and their POST→ACTIVE time, and lists errors with their fault', async (t) => {
  await d.flavor('huge', 1, 512, 5000); // more disk than any host has: no valid host
  const boot = (name: string, flavorRef: string) => asAdmin('/v2.1/servers', 'POST', { server: { name, flavorRef, imageRef: d.image.uuid, networks: 'none', availability_zone: 'az2' } });
  await boot('counted', '1'); // in zone az2, so on two-host-1: the cell-down test finds it in cell two
  await boot('too-big', 'huge');
  // Both settled before the page opens: its first read shows them, with no wait for its next round.
  const statuses = async () => (await asAdmin<{ servers: { name: string; status: string }[] }>('/v2.1/servers/detail?all_tenants=1')).servers.map((x) => `${x.name}=${x.status}`).sort();
  await waitFor(async () => (await statuses()).join() === 'counted=ACTIVE,too-big=ERROR', 30_000, 'one boot ACTIVE and one in ERROR');
  await page.goto(`${base}/admin/activity`);
  await page.waitForSelector('#plot-boots .uplot');
  await page.locator('#latency', { hasText: /^1 servers · p50 [\d.]+ s/ }).waitFor({ timeout: 30_000 });
  await page.locator('#errors tr', { hasText: 'too-big' }).waitFor({ timeout: 30_000 });
  t.regex((await page.textContent('#errors tr:has-text("too-big")')) ?? '', /valid host/i, 'the fault says why');
  await shot('activity');
});

test.serial('dashboard - signing out revokes the token and drops its cookie', async (t) => {
  const token = (await browser.context.cookies()).find((c) => c.name === 'cellstack_token')?.value ?? '';
  t.truthy(token);
  await signOut();
  const after = await fetch(`${d.apiUrl}/v2.1/servers`, { headers: { 'x-auth-token': token } });
  t.is(after.status, 401, 'the API refuses the token now');
  t.false((await browser.context.cookies()).some((c) => c.name === 'cellstack_token'));
  const res = await page.goto(`${base}/admin/cells`);
  t.regex(res?.url() ?? '', /\/auth\/login/, 'the pages ask to sign in again');
});

test.serial('dashboard - a member sees no operator page, by link or by URL', async (t) => {
  await signIn('alice', 'alice-password');
  t.regex(page.url(), /\/dashboard\/servers$/);
  t.is(await page.locator('header a:has-text("Cells")').count(), 0, 'no operator links');
  for (const path of ['/admin/cells', '/admin/hosts', '/admin/hosts/one-host-1', '/admin/activity', '/admin/flavors', '/admin/identity']) {
    const res = await page.goto(`${base}${path}`);
    t.is(res?.status(), 403, path);
  }
  const missing = await page.goto(`${base}/no-such-page`);
  t.is(missing?.status(), 404);
  t.regex((await page.textContent('[role=alert]')) ?? '', /no such page/);
  const data = await page.evaluate(async (url) => (await fetch(url)).status, `${base}/admin/hosts.json`);
  t.is(data, 403);
  await page.goto(`${base}/servers`);
  const csrf = (await page.getAttribute('meta[name=csrf]', 'content')) ?? '';
  t.true(csrf.length > 20);
  const post = await page.evaluate(
    async ([url, body]) => (await fetch(url as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body as string })).status,
    [`${base}/admin/hosts/one-host-1/service`, `op=disable&_csrf=${encodeURIComponent(csrf)}`],
  );
  t.is(post, 403, 'a member cannot change a host even with a good CSRF token');
});

test.serial('dashboard - a form posted without its CSRF token is refused and changes nothing', async (t) => {
  await page.goto(`${base}/servers`);
  const post = (body: string) =>
    page.evaluate(async ([url, form]) => (await fetch(url as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form as string })).status, [`${base}/servers`, body]);
  t.is(await post('name=forged&flavor=1&image=x'), 403);
  t.is(await post('name=forged&flavor=1&image=x&_csrf=made-up'), 403);
  const list = await asAdmin<{ servers: { name: string }[] }>('/v2.1/servers?all_tenants=1');
  t.false(list.servers.some((s) => s.name === 'forged'));
});

test.serial('dashboard - a member makes a key pair, launches a server with it from the form and watches it go ACTIVE without reloading, opens its console, resizes, stops and deletes it', async (t) => {
  await page.goto(`${base}/keypairs`);
  await page.fill('#kp-name', 'k1');
  await page.click('button:has-text("Create key pair")');
  t.regex((await page.textContent('#private-key')) ?? '', /PRIVATE KEY/, 'the private key is shown once');
  await page.goto(`${base}/server-groups`);
  await page.fill('#sg-name', 'g1');
  await Promise.all([page.waitForURL(/\/server-groups$/), page.click('button:has-text("Create server group")')]);
  await page.goto(`${base}/servers/new`);
  await page.fill('#name', 'web-1');
  await page.selectOption('#keypair', 'k1');
  await page.selectOption('#group', { label: 'g1 (anti-affinity)' });
  await page.fill('#user_data', '#cloud-config\nhostname: web-1\n');
  await page.selectOption('#flavor', { label: (await page.locator('#flavor option').first().textContent()) ?? '' });
  await shot('launch');
  await Promise.all([page.waitForURL(/\/servers\?done=launched/), page.click('button[type=submit]')]);
  let navigations = 0;
  page.on('framenavigated', () => (navigations += 1));
  const row = page.locator('#servers tr', { hasText: 'web-1' });
  await row.locator('td.status.ACTIVE').waitFor({ timeout: 30_000 });
  t.is(navigations, 0, 'the list updated in place');
  await shot('servers');
  page.removeAllListeners('framenavigated');
  await Promise.all([page.waitForURL(/\/servers\/[\w-]+$/), row.locator('a').click()]);
  const id = page.url().split('/').at(-1) ?? '';
  const made = await asAdmin<{ server: Record<string, unknown> }>(`/v2.1/servers/${id}`, 'GET');
  t.is(made.server['key_name'], 'k1', 'launched with the key pair picked');
  await page.goto(`${base}/servers/${id}/remote-console`);
  const frame = page.frameLocator('#remote-console');
  t.regex((await frame.locator('h1').textContent()) ?? '', new RegExp(`Console of ${id}`), "the API's console page opens in the frame");
  t.truthy(await frame.locator('#screen').textContent(), "with the guest's screen");
  await page.goto(`${base}/limits`);
  t.regex((await page.textContent('#limits tr:has(th:text("Servers"))')) ?? '', /^Servers1unlimited$/);
  await page.goto(`${base}/server-groups`);
  t.regex((await page.textContent('#groups tr[data-name="g1"]')) ?? '', /anti-affinity\s*1/, 'launched into the group picked');
  await page.goto(`${base}/usage`);
  t.regex((await page.textContent('#usage')) ?? '', /Servers\s*1/);
  await page.goto(`${base}/images`);
  t.regex((await page.textContent('#project-images')) ?? '', /cirros/);
  await page.goto(`${base}/servers/${id}`);
  await act('resize', 'VERIFY_RESIZE');
  await act('confirm-resize', 'ACTIVE');
  t.not(await page.textContent('tr:has(th:text("Flavor")) td'), 'm1.tiny', 'resized to the flavor picked');
  await shot('server');
  await act('stop', 'SHUTOFF');
  const taken = await page.locator('#instance-actions td:first-child').allTextContents();
  t.deepEqual([...taken].sort(), ['confirmResize', 'create', 'resize', 'stop'], 'the instance actions list what was done');
  await page.click('text=Console log');
  t.truthy(await page.textContent('#console'));
  await page.goBack();
  await Promise.all([page.waitForURL(/\/servers\?done=delete/), page.click('button:has-text("Delete")')]);
  await page.locator('#servers tr', { hasText: 'web-1' }).waitFor({ state: 'detached', timeout: 20_000 });
  t.pass();
  await signOut();
});

test.serial('dashboard - a cell whose conductor, bus and database stop shows as down within 10 s, and up again after', async (t) => {
  await signIn('admin', 'admin-password');
  await page.waitForSelector('#cells tr[data-cell="two"][data-state="up"]');
  const counted = (await asAdmin<{ servers: { id: string }[] }>('/v2.1/servers?name=counted')).servers[0]?.id ?? '';
  t.is(await d.mappedCell(counted), 'two');
  const cut = Date.now();
  await d.stopConductors('two');
  await d.cell('two').nats.stop();
  await relay.cut();
  await page.waitForSelector('#cells tr[data-cell="two"][data-state="down"]', { timeout: 10_000 });
  const seenAfter = Date.now() - cut;
  t.true(seenAfter < 10_000, `shown down after ${seenAfter} ms`);
  t.is(await cellState('one'), 'up', 'the other cell stays up');
  await shot('cells-down');
  // The API lists what it knows of the down cell's servers (2.69): the list page still works.
  const list = await page.goto(`${base}/servers`);
  t.is(list?.status(), 200);
  t.regex((await page.textContent(`#servers tr[data-id="${counted}"]`)) ?? '', new RegExp(`${counted}\\s*UNKNOWN`), 'its server in the down cell shows as UNKNOWN, by id (the API knows no more of it)');
  await relay.start();
  await d.cell('two').nats.start();
  await d.addConductor('two');
  await page.goto(`${base}/admin/cells`);
  await page.waitForSelector('#cells tr[data-cell="two"][data-state="up"]', { timeout: 20_000 });
  t.log(`cell two shown down ${seenAfter} ms after it was stopped`);
});

test.serial('dashboard - with the API database away the cells page still opens, says the cells cannot be listed, and goes on when it is back', async (t) => {
  await apiRelay.cut();
  const res = await page.goto(`${base}/admin/cells`);
  t.is(res?.status(), 200, 'the session validated a moment ago still stands');
  await page.locator('#api-error', { hasText: /cannot be listed/ }).waitFor({ timeout: 15_000 });
  t.is(await cellState('one'), 'up', 'the last probes are still shown');
  await apiRelay.start();
  await waitFor(async () => !/cannot be listed/.test((await page.textContent('#api-error')) ?? ''), 20_000, 'the cells to be listed again');
  t.is(await cellState('two'), 'up');
});
