import { html, type Html } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';

interface ServerGroup {
  id: string;
  name: string;
  policy: string;
  members: string[];
}

export interface Image {
  id: string;
  name: string;
  status: string;
  visibility: string;
  size?: number | null;
  owner?: string;
}

/** The images table; an operator's also says each image's id and owner. */
export function imagesTable(id: string, images: Image[], operator: boolean): Html {
  return html`<table id="${id}"><thead><tr><th>Name</th>${operator ? html`<th>ID</th>` : ''}<th>Status</th><th>Visibility</th><th>Size</th>${operator ? html`<th>Owner</th>` : ''}</tr></thead><tbody>
    ${images.map((i) => html`<tr><td>${i.name}</td>${operator ? html`<td>${i.id}</td>` : ''}<td>${i.status}</td><td>${i.visibility}</td><td>${i.size ?? ''}</td>${operator ? html`<td>${i.owner ?? ''}</td>` : ''}</tr>`)}
    </tbody></table>`;
}

interface TenantUsage {
  total_hours?: number;
  total_vcpus_usage?: number;
  total_memory_mb_usage?: number;
  total_local_gb_usage?: number;
  server_usages?: unknown[];
}

const policies = ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity'];
const round = (n: number | undefined): string => (n === undefined ? '0' : n.toFixed(2));

/** A member's server groups (list, create, delete), the images the project sees, and its usage this month. */
export function registerProjectResourcePages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/server-groups', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { server_groups: groups } = await deps.api.get<{ server_groups: ServerGroup[] }>(viewer.token, '/v2.1/os-server-groups');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Server groups', viewer, section: 'groups' },
      html`<table id="groups"><thead><tr><th>Name</th><th>Policy</th><th>Members</th><th></th></tr></thead><tbody>
        ${groups.map((g) => html`<tr data-name="${g.name}"><td>${g.name}</td><td>${g.policy}</td><td>${g.members.length}</td>
          <td><form method="post" action="${BASE}/server-groups/${g.id}/delete" class="inline">${csrfField(viewer)}<button>Delete</button></form></td></tr>`)}
        </tbody></table>
        <form method="post" action="${BASE}/server-groups" class="card">${csrfField(viewer)}
          <label for="sg-name">Name</label><input id="sg-name" name="name" required maxlength="255">
          <label for="sg-policy">Policy</label><select id="sg-policy" name="policy">${policies.map((p) => html`<option>${p}</option>`)}</select>
          <p><button type="submit">Create server group</button></p></form>`,
    );
  });
  router.post('/server-groups', async (ctx) => {
    const form = ctx.state.form;
    await deps.api.call(viewerOf(ctx).token, '/v2.1/os-server-groups', { method: 'POST', body: { server_group: { name: form['name'] ?? '', policy: form['policy'] ?? '' } } });
    ctx.redirect(`${BASE}/server-groups`);
  });
  router.post('/server-groups/:id/delete', async (ctx) => {
    await deps.api.call(viewerOf(ctx).token, `/v2.1/os-server-groups/${encodeURIComponent(ctx.params['id'] ?? '')}`, { method: 'DELETE' });
    ctx.redirect(`${BASE}/server-groups`);
  });
  router.get('/images', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { images } = await deps.api.get<{ images: Image[] }>(viewer.token, '/image/v2/images?limit=200');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Images', viewer, section: 'project-images' },
      html`${imagesTable('project-images', images, false)}<p class="muted">Snapshots made from a server's page appear here.</p>`,
    );
  });
  router.get('/usage', async (ctx) => {
    const viewer = viewerOf(ctx);
    const now = new Date();
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 19);
    const end = now.toISOString().slice(0, 19);
    const path = `/v2.1/os-simple-tenant-usage/${encodeURIComponent(viewer.projectId)}?start=${start}&end=${end}`;
    const { tenant_usage: usage } = await deps.api.get<{ tenant_usage: TenantUsage }>(viewer.token, path);
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Usage this month', viewer, section: 'usage' },
      html`<table id="usage"><tbody>
        <tr><th>From</th><td>${start}Z to ${end}Z</td></tr>
        <tr><th>Servers</th><td>${(usage.server_usages ?? []).length}</td></tr>
        <tr><th>Server hours</th><td>${round(usage.total_hours)}</td></tr>
        <tr><th>vCPU hours</th><td>${round(usage.total_vcpus_usage)}</td></tr>
        <tr><th>RAM MiB-hours</th><td>${round(usage.total_memory_mb_usage)}</td></tr>
        <tr><th>Disk GB-hours</th><td>${round(usage.total_local_gb_usage)}</td></tr>
        </tbody></table><p><a href="${BASE}/limits">Limits</a></p>`,
    );
  });
}
