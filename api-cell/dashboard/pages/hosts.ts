import type { HostRow } from '../fleet.js';
import { html, type Html } from '../html.js';
import { serverView } from '../servers.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';
import { serverRows } from './servers.js';

const permille = (used: number, total: number): number => (total > 0 ? Math.min(1000, Math.round((used / total) * 1000)) : 0);
const stateCode = (h: HostRow): number => (h.state === 'up' ? 0 : h.state === 'down' ? 1 : 2);

/** Every host as columns of small numbers: 10,000 hosts stay a few hundred KB and parse at once. */
export function heatmapData(hosts: HostRow[]): Record<string, unknown> {
  const sorted = [...hosts].sort((a, b) => a.cell.localeCompare(b.cell) || a.host.localeCompare(b.host, undefined, { numeric: true }));
  const cells = [...new Set(sorted.map((h) => h.cell))];
  const zones = [...new Set(sorted.map((h) => h.zone))].sort();
  const aggregates = [...new Set(sorted.flatMap((h) => h.aggregates))].sort();
  return {
    cells,
    zones,
    aggregates,
    agg: sorted.map((h) => h.aggregates.map((a) => aggregates.indexOf(a))),
    name: sorted.map((h) => h.host),
    cell: sorted.map((h) => cells.indexOf(h.cell)),
    zone: sorted.map((h) => zones.indexOf(h.zone)),
    state: sorted.map(stateCode),
    disabled: sorted.map((h) => (h.disabled ? 1 : 0)),
    cpu: sorted.map((h) => permille(h.vcpusUsed, h.vcpus)),
    ram: sorted.map((h) => permille(h.ramUsedMb, h.ramMb)),
    disk: sorted.map((h) => permille(h.diskUsedGb, h.diskGb)),
    servers: sorted.map((h) => h.servers),
  };
}

const serviceChanges: Record<string, { label: string; body: Record<string, unknown> }> = {
  disable: { label: 'Disable', body: { status: 'disabled', disabled_reason: 'disabled from the dashboard' } },
  enable: { label: 'Enable', body: { status: 'enabled' } },
  'force-down': { label: 'Force down', body: { forced_down: true } },
  'unforce-down': { label: 'Clear forced down', body: { forced_down: false } },
};

function serviceButtons(host: HostRow, csrf: Html): Html[] {
  const wanted = [host.disabled ? 'enable' : 'disable', host.forcedDown ? 'unforce-down' : 'force-down'];
  return wanted.map(
    (op) => html`<form method="post" action="${BASE}/admin/hosts/${host.host}/service" class="inline">${csrf}<input type="hidden" name="op" value="${op}"><button>${serviceChanges[op]?.label ?? op}</button></form> `,
  );
}

export function registerHostPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/hosts', (ctx) => {
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Hosts', viewer: viewerOf(ctx), section: 'hosts', scripts: ['heatmap.js'] },
      html`<p>Colour <select id="metric"><option value="max">highest of vCPU / RAM / disk</option><option value="cpu">vCPU</option><option value="ram">RAM</option><option value="disk">disk</option></select>
        Cell <select id="f-cell"><option value="">all</option></select> Zone <select id="f-zone"><option value="">all</option></select>
        Aggregate <select id="f-agg"><option value="">all</option></select>
        State <select id="f-state"><option value="">all</option><option value="up">up</option><option value="down">down</option><option value="disabled">disabled</option><option value="unknown">unknown</option></select>
        <span id="summary" class="muted"></span></p>
        <p class="muted">Green is idle, red is full; black is down or unknown; blue is disabled. Click a host for its page.
        <span id="draw-time"></span></p>
        <div style="position:relative"><canvas id="heatmap" width="1200" height="200"></canvas>
        <div id="tip" style="position:absolute;display:none;background:#1d2330;color:#fff;padding:.3em .5em;border-radius:3px;pointer-events:none;white-space:pre"></div></div>`,
    );
  });
  router.get('/admin/hosts.json', async (ctx) => {
    ctx.body = heatmapData(await deps.fleet.hosts(viewerOf(ctx).token));
  });
  router.get('/admin/hosts/:host', async (ctx) => {
    const viewer = viewerOf(ctx);
    const name = ctx.params['host'] ?? '';
    const host = (await deps.fleet.hosts(viewer.token)).find((h) => h.host === name);
    if (!host) {
      ctx.status = 404;
      ctx.body = page({ title: 'No such host', viewer, flash: { kind: 'error', text: `No compute host is named "${name}".` } }, html``);
      return;
    }
    const servers = await deps.api.get<{ servers: Parameters<typeof serverView>[0][] }>(viewer.token, `/v2.1/servers/detail?all_tenants=1&host=${encodeURIComponent(name)}&limit=500`);
    ctx.type = 'html';
    ctx.body = page(
      { title: `Host ${name}`, viewer, section: 'hosts' },
      html`<div class="card"><table><tbody>
        <tr><th>Cell</th><td>${host.cell}</td></tr><tr><th>Zone</th><td>${host.zone}</td></tr>
        <tr><th>Aggregates</th><td>${host.aggregates.join(', ')}</td></tr>
        <tr><th>State</th><td class="${host.state}" id="host-state">${host.state}${host.forcedDown ? ' (forced down)' : ''}</td></tr>
        <tr><th>Status</th><td class="${host.disabled ? 'disabled' : 'up'}" id="host-status">${host.disabled ? `disabled${host.disabledReason ? `: ${host.disabledReason}` : ''}` : 'enabled'}</td></tr>
        <tr><th>Last heartbeat</th><td>${host.heartbeatAge === null ? 'never' : `${host.heartbeatAge} s ago`}</td></tr>
        <tr><th>vCPU</th><td>${host.vcpusUsed} of ${host.vcpus}</td></tr><tr><th>RAM</th><td>${host.ramUsedMb} of ${host.ramMb} MiB</td></tr>
        <tr><th>Disk</th><td>${host.diskUsedGb} of ${host.diskGb} GB</td></tr>
      </tbody></table><p>${serviceButtons(host, csrfField(viewer))}</p></div>
      <h2>Servers on this host</h2>
      <table><thead><tr><th>Name</th><th>Status</th><th>Task</th><th>Flavor</th><th>Addresses</th><th>Created</th></tr></thead>
      <tbody>${serverRows(servers.servers.map(serverView))}</tbody></table>`,
    );
  });
  router.post('/admin/hosts/:host/service', async (ctx) => {
    const viewer = viewerOf(ctx);
    const name = ctx.params['host'] ?? '';
    const change = serviceChanges[ctx.state.form['op'] ?? ''];
    const host = (await deps.fleet.hosts(viewer.token)).find((h) => h.host === name);
    if (!change || !host) {
      ctx.status = 400;
      ctx.body = page({ title: 'Not done', viewer, flash: { kind: 'error', text: !host ? `No compute host is named "${name}".` : 'No such change.' } }, html``);
      return;
    }
    await deps.api.call(viewer.token, `/v2.1/os-services/${encodeURIComponent(host.serviceId)}`, { method: 'PUT', body: change.body });
    deps.fleet.forget();
    ctx.redirect(`${BASE}/admin/hosts/${encodeURIComponent(name)}`);
  });
}
