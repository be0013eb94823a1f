import { activityOf, type ActivityServer } from '../activity.js';
import { html, raw } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, page } from './layout.js';

const WINDOW_S = 600;
const BUCKET_S = 10;
/** Servers changed in the window, read at most this many: a bigger burst is plotted from its newest part. */
const MOST_SERVERS = 20_000;

export function registerActivityPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/activity', (ctx) => {
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Activity', viewer: viewerOf(ctx), section: 'activity', scripts: ['uPlot.iife.min.js', 'activity.js'] },
      html`<link rel="stylesheet" href="${BASE}/static/uPlot.min.css">
        <p class="muted">The last ten minutes of every project's servers, as the Compute API lists them (changes-since), in ${raw(String(BUCKET_S))}-second steps; updated every 5 seconds.</p>
        <div class="card"><strong>POST→ACTIVE</strong> <span id="latency"></span></div>
        <div class="card"><strong>Building now</strong> <span id="stages"></span></div>
        <div id="plot-boots"></div><div id="plot-latency"></div><div id="plot-errors"></div>
        <h2>Latest errors</h2><table id="errors"><thead><tr><th>When</th><th>Server</th><th>Fault</th></tr></thead><tbody></tbody></table>`,
    );
  });
  router.get('/admin/activity.json', async (ctx) => {
    const { token } = viewerOf(ctx);
    const since = new Date(Date.now() - WINDOW_S * 1000).toISOString();
    const servers: ActivityServer[] = [];
    let marker = '';
    while (servers.length < MOST_SERVERS) {
      const page = await deps.api.get<{ servers: ActivityServer[] }>(
        token,
        `/v2.1/servers/detail?all_tenants=1&changes-since=${encodeURIComponent(since)}&limit=1000${marker ? `&marker=${marker}` : ''}`,
      );
      servers.push(...page.servers);
      const last = page.servers.at(-1);
      if (page.servers.length < 1000 || !last) break;
      marker = encodeURIComponent(last.id);
    }
    ctx.body = activityOf(servers, Date.now(), WINDOW_S, BUCKET_S);
  });
}
