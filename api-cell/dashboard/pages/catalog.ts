import { html } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';
import { imagesTable, type Image } from './project-resources.js';

interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  'os-flavor-access:is_public'?: boolean;
}

interface Aggregate {
  id: number;
  name: string;
  availability_zone: string | null;
  hosts: string[];
}

interface Named {
  id: string;
  name: string;
  enabled?: boolean;
  domain_id?: string;
  default_project_id?: string;
}

/** Operator pages over the catalog: flavors (and making one), images, aggregates and zones, projects and users. */
export function registerCatalogPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/flavors', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { flavors } = await deps.api.get<{ flavors: Flavor[] }>(viewer.token, '/v2.1/flavors/detail?is_public=None');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Flavors', viewer, section: 'flavors' },
      html`<table id="flavors"><thead><tr><th>ID</th><th>Name</th><th>vCPUs</th><th>RAM (MiB)</th><th>Disk (GB)</th><th>Public</th><th></th></tr></thead><tbody>
        ${flavors.map((f) => html`<tr data-name="${f.name}"><td>${f.id}</td><td>${f.name}</td><td>${f.vcpus}</td><td>${f.ram}</td><td>${f.disk}</td><td>${f['os-flavor-access:is_public'] === false ? 'no' : 'yes'}</td>
          <td><form method="post" action="${BASE}/admin/flavors/${f.id}/delete" class="inline">${csrfField(viewer)}<button>Delete</button></form></td></tr>`)}
        </tbody></table>
        <form method="post" action="${BASE}/admin/flavors" class="card">${csrfField(viewer)}
          <label for="fl-name">Name</label><input id="fl-name" name="name" required>
          <label for="fl-vcpus">vCPUs</label><input id="fl-vcpus" name="vcpus" type="number" min="1" value="1" required>
          <label for="fl-ram">RAM (MiB)</label><input id="fl-ram" name="ram" type="number" min="1" value="512" required>
          <label for="fl-disk">Disk (GB)</label><input id="fl-disk" name="disk" type="number" min="0" value="1" required>
          <p><button type="submit">Create flavor</button></p></form>`,
    );
  });
  router.post('/admin/flavors', async (ctx) => {
    const f = ctx.state.form;
    // Numbers go as the user typed them: the API's schema says what is wrong with them.
    const number = (value: string | undefined): number | string => (value && /^\d+$/.test(value) ? Number(value) : (value ?? ''));
    const flavor = { name: f['name'] ?? '', vcpus: number(f['vcpus']), ram: number(f['ram']), disk: number(f['disk']) };
    await deps.api.call(viewerOf(ctx).token, '/v2.1/flavors', { method: 'POST', body: { flavor } });
    ctx.redirect(`${BASE}/admin/flavors`);
  });
  router.post('/admin/flavors/:id/delete', async (ctx) => {
    await deps.api.call(viewerOf(ctx).token, `/v2.1/flavors/${encodeURIComponent(ctx.params['id'] ?? '')}`, { method: 'DELETE' });
    ctx.redirect(`${BASE}/admin/flavors`);
  });
  router.get('/admin/images', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { images } = await deps.api.get<{ images: Image[] }>(viewer.token, '/image/v2/images?limit=500');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Images', viewer, section: 'images' },
      imagesTable('images', images, true),
    );
  });
  router.get('/admin/aggregates', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { aggregates } = await deps.api.get<{ aggregates: Aggregate[] }>(viewer.token, '/v2.1/os-aggregates');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Aggregates and zones', viewer, section: 'aggregates' },
      html`<table id="aggregates"><thead><tr><th>Aggregate</th><th>Zone</th><th>Hosts</th></tr></thead><tbody>
        ${aggregates.map((a) => html`<tr><td>${a.name}</td><td>${a.availability_zone ?? ''}</td><td>${a.hosts.length}: ${a.hosts.slice(0, 20).join(', ')}${a.hosts.length > 20 ? ', …' : ''}</td></tr>`)}
        </tbody></table>`,
    );
  });
  router.get('/admin/identity', async (ctx) => {
    const viewer = viewerOf(ctx);
    const [{ projects }, { users }] = await Promise.all([
      deps.api.get<{ projects: Named[] }>(viewer.token, '/identity/v3/projects'),
      deps.api.get<{ users: Named[] }>(viewer.token, '/identity/v3/users'),
    ]);
    const projectName = new Map(projects.map((p) => [p.id, p.name]));
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Projects and users', viewer, section: 'identity' },
      html`<h2>Projects</h2><table id="projects"><thead><tr><th>Name</th><th>ID</th><th>Enabled</th><th></th></tr></thead><tbody>
        ${projects.map((p) => html`<tr data-name="${p.name}"><td>${p.name}</td><td>${p.id}</td><td>${p.enabled === false ? 'no' : 'yes'}</td><td><a href="${BASE}/admin/quotas/${p.id}">Quotas</a></td></tr>`)}</tbody></table>
        <h2>Users</h2><table id="users"><thead><tr><th>Name</th><th>ID</th><th>Default project</th><th>Enabled</th></tr></thead><tbody>
        ${users.map((u) => html`<tr><td>${u.name}</td><td>${u.id}</td><td>${projectName.get(u.default_project_id ?? '') ?? ''}</td><td>${u.enabled === false ? 'no' : 'yes'}</td></tr>`)}</tbody></table>
        <p class="muted">Create and change them with <code>openstack project/user/role</code> or <code>cellctl</code>.</p>`,
    );
  });
}
