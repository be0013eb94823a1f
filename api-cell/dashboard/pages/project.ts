import { html } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';

interface Keypair {
  name: string;
  fingerprint: string;
  type?: string;
}

interface Limits {
  limits: { absolute: Record<string, number> };
}

/** Limits worth a row, as [what, limit key, used key]. */
const limitRows: [string, string, string][] = [
  ['Servers', 'maxTotalInstances', 'totalInstancesUsed'],
  ['vCPUs', 'maxTotalCores', 'totalCoresUsed'],
  ['RAM (MiB)', 'maxTotalRAMSize', 'totalRAMUsed'],
  ['Key pairs', 'maxTotalKeypairs', ''],
  ['Server groups', 'maxServerGroups', 'totalServerGroupsUsed'],
];

/** The project's key pairs (list, create or import, delete) and its limits and usage. */
export function registerProjectPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/keypairs', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { keypairs } = await deps.api.get<{ keypairs: { keypair: Keypair }[] }>(viewer.token, '/v2.1/os-keypairs');
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Key pairs', viewer, section: 'keypairs' },
      html`<table id="keypairs"><thead><tr><th>Name</th><th>Fingerprint</th><th></th></tr></thead><tbody>
        ${keypairs.map(({ keypair: k }) => html`<tr data-name="${k.name}"><td>${k.name}</td><td>${k.fingerprint}</td>
          <td><form method="post" action="${BASE}/keypairs/${k.name}/delete" class="inline">${csrfField(viewer)}<button>Delete</button></form></td></tr>`)}
        </tbody></table>
        <form method="post" action="${BASE}/keypairs" class="card">${csrfField(viewer)}
          <label for="kp-name">Name</label><input id="kp-name" name="name" required maxlength="255">
          <label for="kp-public">Public key <span class="muted">(empty: the API makes one and shows its private key once)</span></label>
          <textarea id="kp-public" name="public_key" rows="3" cols="60"></textarea>
          <p><button type="submit">Create key pair</button></p></form>`,
    );
  });
  router.post('/keypairs', async (ctx) => {
    const viewer = viewerOf(ctx);
    const form = ctx.state.form;
    const keypair: Record<string, string> = { name: form['name'] ?? '' };
    if (form['public_key']?.trim()) keypair['public_key'] = form['public_key'].trim();
    const answer = await deps.api.call<{ keypair: Keypair & { private_key?: string } }>(viewer.token, '/v2.1/os-keypairs', { method: 'POST', body: { keypair } });
    const made = answer.body.keypair;
    ctx.type = 'html';
    ctx.body = page(
      { title: `Key pair ${made.name}`, viewer, section: 'keypairs', flash: { kind: 'info', text: 'Key pair created.' } },
      html`<p>Fingerprint ${made.fingerprint}</p>
        ${made.private_key ? html`<p>Its private key, shown this once (the API keeps no copy):</p><pre id="private-key">${made.private_key}</pre>` : ''}
        <p><a href="${BASE}/keypairs">All key pairs</a></p>`,
    );
  });
  router.post('/keypairs/:name/delete', async (ctx) => {
    await deps.api.call(viewerOf(ctx).token, `/v2.1/os-keypairs/${encodeURIComponent(ctx.params['name'] ?? '')}`, { method: 'DELETE' });
    ctx.redirect(`${BASE}/keypairs`);
  });
  router.get('/limits', async (ctx) => {
    const viewer = viewerOf(ctx);
    const { limits } = await deps.api.get<Limits>(viewer.token, '/v2.1/limits');
    const a = limits.absolute;
    const shown = (n: number | undefined): string => (n === undefined ? '' : n < 0 ? 'unlimited' : String(n));
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Limits and usage', viewer, section: 'limits' },
      html`<table id="limits"><thead><tr><th></th><th>Used</th><th>Limit</th></tr></thead><tbody>
        ${limitRows.map(([what, max, used]) => html`<tr><th>${what}</th><td>${used ? shown(a[used]) : ''}</td><td>${shown(a[max])}</td></tr>`)}
        </tbody></table>`,
    );
  });
}
