import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { errorMessage } from '../../ops/runtime/index.js';
import { ApiFault } from './client.js';
import { html } from './html.js';
import { registerActivityPages } from './pages/activity.js';
import { registerAggregatePages } from './pages/aggregates.js';
import { registerCatalogPages } from './pages/catalog.js';
import { registerCellPages } from './pages/cells.js';
import { registerHostPages } from './pages/hosts.js';
import { registerIdentityPages } from './pages/identity.js';
import { BASE, page } from './pages/layout.js';
import { registerProjectResourcePages } from './pages/project-resources.js';
import { registerProjectPages } from './pages/project.js';
import { registerQuotaPages } from './pages/quotas.js';
import { registerServerShowPages } from './pages/server-show.js';
import { registerServerPages } from './pages/servers.js';
import { registerSignInPages } from './pages/sign-in.js';
import { COOKIE_PATH, Sessions, TOKEN_COOKIE } from './session.js';
import type { DashboardDeps, DashboardState } from './state.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The browser scripts live beside the sources (plain JS, no build step); dist/ holds only the server. */
const staticDir = resolve(here, '../../../api-cell/dashboard/static');
const uplotDir = resolve(here, '../../../node_modules/uplot/dist');
const staticFiles: Record<string, { path: string; type: string }> = {
  'uPlot.iife.min.js': { path: resolve(uplotDir, 'uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { path: resolve(uplotDir, 'uPlot.min.css'), type: 'text/css' },
};
for (const name of ['dom.js', 'cells.js', 'heatmap.js', 'servers.js', 'server.js', 'activity.js']) staticFiles[name] = { path: resolve(staticDir, name), type: 'text/javascript' };

/** Paths a visitor without a session may reach. */
const open = (path: string): boolean => path === `${BASE}/healthcheck` || path === `${BASE}/auth/login` || path.startsWith(`${BASE}/static/`);
/** Paths a browser script fetches: they answer 401/403 as such rather than with a page. */
const isData = (path: string): boolean => path.endsWith('.json') || path.endsWith('/events');

export function createDashboardApp(deps: DashboardDeps): Koa<DashboardState> {
  const app = new Koa<DashboardState>();
  // A browser that leaves mid-answer (a closed tab, a stream it stopped) is not the dashboard's fault.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') deps.log.warn({ err: errorMessage(err) }, 'dashboard answer failed');
  });
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status = err instanceof ApiFault ? (err.status >= 500 ? 502 : err.status) : 500;
      if (status === 401 && !isData(ctx.path)) {
        ctx.cookies.set(TOKEN_COOKIE, null, { path: COOKIE_PATH });
        ctx.redirect(`${BASE}/auth/login?expired=1`);
        return;
      }
      if (status === 500) deps.log.error({ err: errorMessage(err), path: ctx.path }, 'dashboard page failed');
      ctx.status = status;
      const message = status === 500 ? 'The dashboard failed to build this page; its log says why.' : errorMessage(err);
      if (isData(ctx.path)) ctx.body = { error: { code: status, message } };
      else ctx.body = page({ title: `Error ${status}`, ...(ctx.state.viewer ? { viewer: ctx.state.viewer } : {}), flash: { kind: 'error', text: message } }, html``);
    }
  });
  app.use(readForm);
  const apiOrigin = new URL(deps.api.baseUrl).origin;
  app.use(async (ctx, next) => {
    // No other site may frame these pages (a button under a decoy is still a click); scripts come
    // only from the dashboard itself; the one frame it shows is the API's console page.
    ctx.set({
      'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src ${apiOrigin}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
    await next();
  });
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith(BASE)) {
      ctx.status = 404;
      ctx.body = 'The dashboard lives under /dashboard.';
      return;
    }
    if (open(ctx.path)) return next();
    const viewer = await deps.sessions.check(ctx.cookies.get(TOKEN_COOKIE));
    if (!viewer) {
      if (isData(ctx.path) || ctx.method !== 'GET') refuse(ctx, 401, 'Sign in first.');
      else ctx.redirect(`${BASE}/auth/login?next=${encodeURIComponent(ctx.path)}`);
      return;
    }
    ctx.state.viewer = viewer;
    // Every state change carries the session's CSRF value; a cross-site form cannot know it.
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && !Sessions.csrfMatches(ctx.state.form['_csrf'] ?? ctx.get('x-csrf-token'), viewer.csrf)) {
      refuse(ctx, 403, 'This form carries no valid CSRF token: reload the page and try again.');
      return;
    }
    // Roles decide, here on the server: a member's request for an operator page is refused whole.
    if (ctx.path.startsWith(`${BASE}/admin`) && !viewer.admin) {
      refuse(ctx, 403, 'Operator pages need the admin role.');
      return;
    }
    return next();
  });
  const router = new Router<DashboardState>({ prefix: BASE });
  router.get('/healthcheck', (ctx) => {
    ctx.body = 'ok';
  });
  router.get('/', (ctx) => ctx.redirect(`${BASE}${ctx.state.viewer?.admin ? '/admin/cells' : '/servers'}`));
  router.get('/static/:file', async (ctx) => {
    const file = staticFiles[ctx.params['file'] ?? ''];
    if (!file) return refuse(ctx, 404, 'No such file.');
    ctx.type = file.type;
    ctx.set('cache-control', 'no-cache');
    ctx.body = await readFile(file.path);
  });
  registerSignInPages(router, deps);
  registerServerPages(router, deps);
  registerServerShowPages(router, deps);
  registerProjectPages(router, deps);
  registerProjectResourcePages(router, deps);
  registerCellPages(router, deps);
  registerHostPages(router, deps);
  registerActivityPages(router, deps);
  registerCatalogPages(router, deps);
  registerQuotaPages(router, deps);
  registerAggregatePages(router, deps);
  registerIdentityPages(router, deps);
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use((ctx) => {
    if (ctx.body === undefined && ctx.status === 404) refuse(ctx, 404, 'The dashboard has no such page.');
  });
  return app;
}

function refuse(ctx: Koa.ParameterizedContext<DashboardState>, status: number, message: string): void {
  ctx.status = status;
  if (isData(ctx.path)) ctx.body = { error: { code: status, message } };
  else ctx.body = page({ title: status === 403 ? 'Forbidden' : status === 404 ? 'Not found' : 'Sign in first', ...(ctx.state.viewer ? { viewer: ctx.state.viewer } : {}), flash: { kind: 'error', text: message } }, html``);
}

async function readForm(ctx: Koa.ParameterizedContext<DashboardState>, next: Koa.Next): Promise<void> {
  ctx.state.form = {};
  if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    const text = await getRawBody(ctx.req, { limit: '256kb', encoding: 'utf8' }).catch(() => '');
    ctx.state.form = Object.fromEntries(new URLSearchParams(text));
  }
  await next();
}
