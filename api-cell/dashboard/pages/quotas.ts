import { html } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';

type QuotaDetail = Record<string, { limit: number; in_use: number; reserved?: number } | string>;

/** The quotas an operator sets most (the API takes the others too). */
const editable = ['instances', 'cores', 'ram', 'key_pairs', 'server_groups', 'server_group_members', 'metadata_items'];

/** An operator's view of one project's quotas, with what it uses, and setting them (os-quota-sets). */
export function registerQuotaPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/quotas/:project', async (ctx) => {
    const viewer = viewerOf(ctx);
    const project = encodeURIComponent(ctx.params['project'] ?? '');
    const { quota_set: quotas } = await deps.api.get<{ quota_set: QuotaDetail }>(viewer.token, `/v2.1/os-quota-sets/${project}/detail`);
    ctx.type = 'html';
    ctx.body = page(
      { title: `Quotas of project ${ctx.params['project'] ?? ''}`, viewer, section: 'identity' },
      html`<form method="post" action="${BASE}/admin/quotas/${project}">${csrfField(viewer)}
        <table id="quotas"><thead><tr><th>Resource</th><th>In use</th><th>Limit <span class="muted">(-1: unlimited)</span></th></tr></thead><tbody>
        ${editable.map((key) => {
          const q = quotas[key];
          if (!q || typeof q === 'string') return '';
          return html`<tr data-resource="${key}"><th>${key}</th><td>${q.in_use}</td><td><input name="${key}" type="number" min="-1" value="${q.limit}" aria-label="${key} limit"></td></tr>`;
        })}
        </tbody></table><p><button type="submit">Set quotas</button></p></form>`,
    );
  });
  router.post('/admin/quotas/:project', async (ctx) => {
    const project = encodeURIComponent(ctx.params['project'] ?? '');
    const quota_set: Record<string, number | string> = {};
    for (const key of editable) {
      const value = ctx.state.form[key];
      // As typed: the API's schema says what is wrong with a value that is not a whole number.
      if (value !== undefined && value !== '') quota_set[key] = /^-?\d+$/.test(value) ? Number(value) : value;
    }
    await deps.api.call(viewerOf(ctx).token, `/v2.1/os-quota-sets/${project}`, { method: 'PUT', body: { quota_set } });
    ctx.redirect(`${BASE}/admin/quotas/${project}`);
  });
}
