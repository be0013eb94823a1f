import { html, jsonBlock, type Html } from '../html.js';
import { serverActions, serverView, type ServerAction, type ServerView } from '../servers.js';
import { viewerOf, type DashboardContext, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';
import type { Named } from './servers.js';

interface InstanceAction {
  action: string;
  request_id: string;
  start_time: string;
  message: string | null;
}

const idOf = (ctx: DashboardContext): string => encodeURIComponent(ctx.params['id'] ?? '');

function actionForm(s: ServerView, name: string, action: ServerAction, csrf: Html, flavors: Named[]): Html {
  const input =
    action.input === 'flavor'
      ? html`<select name="flavor" aria-label="new flavor">${flavors.filter((f) => f.name !== s.flavor).map((f) => html`<option value="${f.id}">${f.name}</option>`)}</select>`
      : action.input === 'name'
        ? html`<input name="name" aria-label="snapshot name" placeholder="snapshot name" required value="${s.name}-snapshot">`
        : '';
  return html`<form method="post" action="${BASE}/servers/${s.id}/action" class="inline" data-action="${name}">${csrf}<input type="hidden" name="action" value="${name}">${input}<button>${action.label}</button></form> `;
}

export function registerServerShowPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/servers/:id/status.json', async (ctx) => {
    const { server } = await deps.api.get<{ server: Parameters<typeof serverView>[0] }>(viewerOf(ctx).token, `/v2.1/servers/${idOf(ctx)}`);
    const s = serverView(server);
    ctx.body = { status: s.status, task: s.task };
  });
  router.get('/servers/:id', async (ctx) => {
    const viewer = viewerOf(ctx);
    const id = idOf(ctx);
    const [{ server }, actions, flavors] = await Promise.all([
      deps.api.get<{ server: Parameters<typeof serverView>[0] }>(viewer.token, `/v2.1/servers/${id}`),
      deps.api.get<{ instanceActions: InstanceAction[] }>(viewer.token, `/v2.1/servers/${id}/os-instance-actions`),
      deps.api.get<{ flavors: Named[] }>(viewer.token, '/v2.1/flavors'),
    ]);
    const s = serverView(server);
    const done = serverActions[String(ctx.query['done'] ?? '')];
    const csrf = csrfField(viewer);
    const forms = Object.entries(serverActions)
      .filter(([, a]) => a.when.includes(s.status))
      .map(([name, a]) => actionForm(s, name, a, csrf, flavors.flavors));
    ctx.type = 'html';
    ctx.body = page(
      { title: `Server ${s.name}`, viewer, section: 'servers', scripts: ['server.js'], ...(done ? { flash: { kind: 'info', text: `${done.label} requested.` } } : {}) },
      html`<table><tbody>
        <tr><th>ID</th><td>${s.id}</td></tr><tr><th>Status</th><td class="${s.status}" id="status" data-task="${s.task ?? ''}">${s.status}</td></tr>
        <tr><th>Task</th><td>${s.task ?? ''}</td></tr><tr><th>Flavor</th><td>${s.flavor}</td></tr><tr><th>Image</th><td>${s.image}</td></tr>
        <tr><th>Addresses</th><td>${s.addresses}</td></tr><tr><th>Created</th><td>${s.created}</td></tr>
        ${s.fault ? html`<tr><th>Fault</th><td class="ERROR" id="fault">${s.fault}</td></tr>` : ''}
      </tbody></table>
      <p>${forms} <a href="${BASE}/servers/${s.id}/console">Console log</a> · <a href="${BASE}/servers/${s.id}/remote-console">Console</a></p>
      <h2>Actions taken</h2>
      <table id="instance-actions"><thead><tr><th>Action</th><th>Started</th><th>Request</th><th>Message</th></tr></thead><tbody>
      ${actions.instanceActions.map((a) => html`<tr><td>${a.action}</td><td>${a.start_time}</td><td>${a.request_id}</td><td>${a.message ?? ''}</td></tr>`)}
      </tbody></table>
      ${jsonBlock('server', s)}`,
    );
  });
  router.post('/servers/:id/action', async (ctx) => {
    const id = idOf(ctx);
    const name = ctx.state.form['action'] ?? '';
    const action = serverActions[name];
    const { token } = viewerOf(ctx);
    if (!action) {
      ctx.status = 400;
      ctx.body = page({ title: 'Unknown action', viewer: viewerOf(ctx), flash: { kind: 'error', text: `No action "${name}".` } }, html``);
      return;
    }
    if (action.body) await deps.api.call(token, `/v2.1/servers/${id}/action`, { method: 'POST', body: action.body(ctx.state.form) });
    else await deps.api.call(token, `/v2.1/servers/${id}`, { method: 'DELETE' });
    ctx.redirect(name === 'delete' ? `${BASE}/servers?done=delete` : `${BASE}/servers/${id}?done=${name}`);
  });
  router.get('/servers/:id/console', async (ctx) => {
    const id = idOf(ctx);
    const { token } = viewerOf(ctx);
    const answer = await deps.api.call<{ output: string }>(token, `/v2.1/servers/${id}/action`, { method: 'POST', body: { 'os-getConsoleOutput': { length: 200 } } });
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Console log', viewer: viewerOf(ctx), section: 'servers' },
      html`<p><a href="${BASE}/servers/${id}">Back to the server</a></p><pre id="console">${answer.body.output}</pre>`,
    );
  });
  router.get('/servers/:id/remote-console', async (ctx) => {
    const id = idOf(ctx);
    const { token } = viewerOf(ctx);
    // The URL the API hands any client (2.6+ remote-consoles); it opens the console on the API's own page.
    const answer = await deps.api.call<{ remote_console: { url: string } }>(token, `/v2.1/servers/${id}/remote-consoles`, {
      method: 'POST',
      body: { remote_console: { protocol: 'vnc', type: 'novnc' } },
    });
    const url = answer.body.remote_console.url;
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Console', viewer: viewerOf(ctx), section: 'servers' },
      html`<p><a href="${BASE}/servers/${id}">Back to the server</a> · <a href="${url}" target="_blank" rel="noopener">open in its own window</a></p>
        <iframe id="remote-console" src="${url}" title="console" style="width:100%;height:34em;border:1px solid #ccc;background:#000"></iframe>`,
    );
  });
}
