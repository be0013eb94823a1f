import { errorMessage } from '../../../ops/runtime/index.js';
import type { CellProbe } from '../cells/watch.js';
import { summarizeCells, type HostRow } from '../fleet.js';
import { html, jsonBlock } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { page } from './layout.js';

/** What the cells page shows: every cell's probe and hosts, and whether the API's part could be read. */
async function cellsPayload(deps: DashboardDeps, token: string, probes: CellProbe[]): Promise<Record<string, unknown>> {
  let hosts: HostRow[] = [];
  let apiError: string | undefined;
  try {
    hosts = await deps.fleet.hosts(token);
  } catch (err) {
    apiError = errorMessage(err);
  }
  const listError = deps.cells.listError;
  return { at: Date.now(), cells: summarizeCells(probes, hosts), ...(apiError ? { apiError } : {}), ...(listError ? { listError } : {}) };
}

export function registerCellPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/cells', async (ctx) => {
    const viewer = viewerOf(ctx);
    const payload = await cellsPayload(deps, viewer.token, deps.cells.latest());
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Cells', viewer, section: 'cells', scripts: ['dom.js', 'cells.js'] },
      html`<table id="cells"><thead><tr><th>Cell</th><th>State</th><th>Bus</th><th>Database</th><th>Hosts up / down / disabled</th>
        <th>Instances</th><th>Heartbeat age p50 / max</th><th>Conductor</th><th>Down since</th></tr></thead><tbody></tbody></table>
        <p class="muted">Live: each cell's bus and database are probed every second from the dashboard
        (<span id="live">connecting…</span>); host figures come from the Compute API.</p><p id="api-error" class="down"></p>
        ${jsonBlock('cells-data', payload)}`,
    );
  });
  // Server-sent events: one message per probe round, so a cell that goes down shows within a second or two.
  router.get('/admin/cells/events', (ctx) => {
    const { token } = viewerOf(ctx);
    // Written to the socket directly: Koa would take the browser leaving for an error.
    ctx.respond = false;
    ctx.req.socket.setTimeout(0);
    const res = ctx.res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    let sending = false;
    const send = (probes: CellProbe[]): void => {
      if (sending || res.writableEnded) return;
      sending = true;
      // A token revoked or expired while the page is open ends the stream (the check is cached 5 s).
      void deps.sessions
        .check(token)
        // Not known either way (the identity endpoint is away too long): go on; only a refusal ends the stream.
        .catch(() => 'unknown' as const)
        .then(async (still) => {
          if (still !== 'unknown' && !still?.admin) return void res.end();
          const payload = await cellsPayload(deps, token, probes);
          if (!res.writableEnded) res.write(`data: ${JSON.stringify(payload)}\n\n`);
        })
        .catch(() => undefined)
        .finally(() => (sending = false));
    };
    send(deps.cells.latest());
    const stop = deps.cells.listen(send);
    res.once('close', stop);
  });
}
