import { html, type Html } from '../html.js';
import { serverView, type ServerView } from '../servers.js';
import { viewerOf, type DashboardContext, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';

const done: Record<string, string> = {
  launched: 'The server was accepted; it shows ACTIVE here once its host has built it.',
  delete: 'Delete requested.',
};

export type Named = { id: string; name: string };

/** Servers a list page shows; the next page starts after the last (the API's marker, across cells). */
const PAGE_SIZE = 50;

async function listServers(deps: DashboardDeps, ctx: DashboardContext): Promise<ServerView[]> {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const key of ['name', 'status', 'marker']) {
    const value = ctx.query[key];
    if (typeof value === 'string' && value) q.set(key, value);
  }
  const body = await deps.api.get<{ servers: Parameters<typeof serverView>[0][] }>(viewerOf(ctx).token, `/v2.1/servers/detail?${q.toString()}`);
  return body.servers.map(serverView);
}

/** The list's query with another marker (empty: the first page). */
function pageQuery(ctx: DashboardContext, marker: string): string {
  const q = new URLSearchParams();
  for (const key of ['name', 'status']) {
    const value = ctx.query[key];
    if (typeof value === 'string' && value) q.set(key, value);
  }
  if (marker) q.set('marker', marker);
  return q.toString();
}

export function serverRows(servers: ServerView[]): Html {
  if (servers.length === 0) return html`<tr><td colspan="6" class="muted">No servers.</td></tr>`;
  return html`${servers.map(
    (s) => html`<tr data-id="${s.id}"><td><a href="${BASE}/servers/${s.id}">${s.name}</a></td>
      <td class="status ${s.status}">${s.status}</td><td>${s.task ?? ''}</td><td>${s.flavor}</td><td>${s.addresses}</td><td>${s.created}</td></tr>`,
  )}`;
}

export function registerServerPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/servers', async (ctx) => {
    const servers = await listServers(deps, ctx);
    const note = done[String(ctx.query['done'] ?? '')];
    const f = (key: string) => (typeof ctx.query[key] === 'string' ? String(ctx.query[key]) : '');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Servers', viewer: viewerOf(ctx), section: 'servers', scripts: ['dom.js', 'servers.js'], ...(note ? { flash: { kind: 'info', text: note } } : {}) },
      html`<form method="get" class="filters">Name <input name="name" value="${f('name')}"> Status <input name="status" value="${f('status')}" size="8">
        <button>Filter</button> <a href="${BASE}/servers/new">Launch a server</a></form>
      <table id="servers"><thead><tr><th>Name</th><th>Status</th><th>Task</th><th>Flavor</th><th>Addresses</th><th>Created</th></tr></thead>
      <tbody>${serverRows(servers)}</tbody></table>
      <p>${ctx.query['marker'] ? html`<a href="${BASE}/servers?${pageQuery(ctx, '')}">First page</a> ` : ''}${servers.length === PAGE_SIZE ? html`<a id="next-page" href="${BASE}/servers?${pageQuery(ctx, servers.at(-1)?.id ?? '')}">Next page</a>` : ''}</p>
      <p class="muted">Updated every 2 seconds without reloading.</p>`,
    );
  });
  router.get('/servers.json', async (ctx) => {
    ctx.body = { servers: await listServers(deps, ctx) };
  });
  router.get('/servers/new', async (ctx) => {
    const { token } = viewerOf(ctx);
    const [flavors, images, keypairs, groups] = await Promise.all([
      deps.api.get<{ flavors: (Named & { vcpus: number; ram: number; disk: number })[] }>(token, '/v2.1/flavors/detail'),
      deps.api.get<{ images: Named[] }>(token, '/image/v2/images?limit=200'),
      deps.api.get<{ keypairs: { keypair: { name: string } }[] }>(token, '/v2.1/os-keypairs'),
      deps.api.get<{ server_groups: (Named & { policy?: string })[] }>(token, '/v2.1/os-server-groups'),
    ]);
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Launch a server', viewer: viewerOf(ctx), section: 'launch' },
      html`<form method="post" action="${BASE}/servers" class="card">${csrfField(viewerOf(ctx))}
        <label for="name">Name</label><input id="name" name="name" required maxlength="255">
        <label for="flavor">Flavor</label><select id="flavor" name="flavor">${flavors.flavors.map((f) => html`<option value="${f.id}">${f.name} (${f.vcpus} vCPU, ${f.ram} MiB, ${f.disk} GB)</option>`)}</select>
        <label for="image">Image</label><select id="image" name="image">${images.images.map((i) => html`<option value="${i.id}">${i.name}</option>`)}</select>
        <label for="keypair">Key pair</label><select id="keypair" name="keypair"><option value="">(none)</option>${keypairs.keypairs.map((k) => html`<option>${k.keypair.name}</option>`)}</select>
        <label for="group">Server group</label><select id="group" name="group"><option value="">(none)</option>${groups.server_groups.map((g) => html`<option value="${g.id}">${g.name} (${g.policy ?? ''})</option>`)}</select>
        <label for="user_data">User data <span class="muted">(cloud-init; sent base64-encoded)</span></label><textarea id="user_data" name="user_data" rows="4" cols="60"></textarea>
        <p><button type="submit">Launch</button></p></form>`,
    );
  });
  router.post('/servers', async (ctx) => {
    const form = ctx.state.form;
    const server: Record<string, unknown> = { name: form['name'] ?? '', flavorRef: form['flavor'] ?? '', imageRef: form['image'] ?? '', networks: 'none' };
    if (form['keypair']) server['key_name'] = form['keypair'];
    if (form['user_data']) server['user_data'] = Buffer.from(form['user_data']).toString('base64');
    const hints = form['group'] ? { 'os:scheduler_hints': { group: form['group'] } } : {};
    await deps.api.call(viewerOf(ctx).token, '/v2.1/servers', { method: 'POST', body: { server, ...hints } });
    ctx.redirect(`${BASE}/servers?done=launched`);
  });
}
