import { html } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';

interface Aggregate {
  id: number;
  name: string;
  availability_zone: string | null;
  hosts: string[];
}

/** Host aggregates and the zones they make (os-aggregates): list, create, add and remove hosts, delete. */
export function registerAggregatePages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/aggregates', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { aggregates } = await deps.api.get<{ aggregates: Aggregate[] }>(viewer.token, '/v2.1/os-aggregates');
    const csrf = csrfField(viewer);
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Aggregates and zones', viewer, section: 'aggregates' },
      html`<table id="aggregates"><thead><tr><th>Aggregate</th><th>Zone</th><th>Hosts</th><th></th></tr></thead><tbody>
        ${aggregates.map(
          (a) => html`<tr data-name="${a.name}"><td>${a.name}</td><td>${a.availability_zone ?? ''}</td><td>${a.hosts.length}: ${a.hosts.slice(0, 20).join(', ')}${a.hosts.length > 20 ? ', …' : ''}</td>
          <td><form method="post" action="${BASE}/admin/aggregates/${a.id}/hosts" class="inline">${csrf}<input name="host" placeholder="host" aria-label="host" required>
            <button name="op" value="add_host">Add host</button><button name="op" value="remove_host">Remove host</button></form>
            <form method="post" action="${BASE}/admin/aggregates/${a.id}/delete" class="inline">${csrf}<button>Delete</button></form></td></tr>`,
        )}
        </tbody></table>
        <form method="post" action="${BASE}/admin/aggregates" class="card">${csrf}
          <label for="ag-name">Name</label><input id="ag-name" name="name" required maxlength="255">
          <label for="ag-zone">Availability zone <span class="muted">(empty: none)</span></label><input id="ag-zone" name="zone" maxlength="255">
          <p><button type="submit">Create aggregate</button></p></form>`,
    );
  });
  router.post('/admin/aggregates', async (ctx) => {
    const form = ctx.state.form;
    const aggregate = { name: form['name'] ?? '', ...(form['zone'] ? { availability_zone: form['zone'] } : {}) };
    await deps.api.call(viewerOf(ctx).token, '/v2.1/os-aggregates', { method: 'POST', body: { aggregate } });
    deps.fleet.forget();
    ctx.redirect(`${BASE}/admin/aggregates`);
  });
  router.post('/admin/aggregates/:id/hosts', async (ctx) => {
    const op = ctx.state.form['op'] === 'remove_host' ? 'remove_host' : 'add_host';
    const id = encodeURIComponent(ctx.params['id'] ?? '');
    await deps.api.call(viewerOf(ctx).token, `/v2.1/os-aggregates/${id}/action`, { method: 'POST', body: { [op]: { host: ctx.state.form['host'] ?? '' } } });
    deps.fleet.forget();
    ctx.redirect(`${BASE}/admin/aggregates`);
  });
  router.post('/admin/aggregates/:id/delete', async (ctx) => {
    await deps.api.call(viewerOf(ctx).token, `/v2.1/os-aggregates/${encodeURIComponent(ctx.params['id'] ?? '')}`, { method: 'DELETE' });
    deps.fleet.forget();
    ctx.redirect(`${BASE}/admin/aggregates`);
  });
}
