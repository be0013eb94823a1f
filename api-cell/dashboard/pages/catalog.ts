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

/** Operator pages over the catalog: flavors (and making one), images. */
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
}
