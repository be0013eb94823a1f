import { ApiFault } from '../client.js';
import { html } from '../html.js';
import { COOKIE_PATH, LOGIN_CSRF_COOKIE, Sessions, TOKEN_COOKIE } from '../session.js';
import type { DashboardContext, DashboardDeps, DashboardRouter } from '../state.js';
import { BASE, page } from './layout.js';

/** Secure too when the request came over TLS. */
const cookieFor = (ctx: DashboardContext) => ({ httpOnly: true, sameSite: 'strict' as const, path: COOKIE_PATH, overwrite: true, secure: ctx.secure });

/** Only a path inside the dashboard: a sign-in link cannot send the user elsewhere. */
const nextPath = (value: unknown): string => (typeof value === 'string' && /^\/dashboard(\/[\w\-./]*)?$/.test(value) && !value.includes('..') && !value.includes('//') ? value : BASE);

function signInForm(ctx: DashboardContext, message?: string): void {
  const csrf = Sessions.loginCsrf();
  ctx.cookies.set(LOGIN_CSRF_COOKIE, csrf, cookieFor(ctx));
  const form = ctx.state.form;
  const next = nextPath(ctx.query['next'] ?? form['next']);
  const flash = message ? { kind: 'error' as const, text: message } : ctx.query['expired'] ? { kind: 'info' as const, text: 'Your session ended: sign in again.' } : undefined;
  ctx.type = 'html';
  ctx.body = page(
    { title: 'Sign in', ...(flash ? { flash } : {}) },
    html`<form method="post" action="${BASE}/auth/login" class="card">
      <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
      <label for="user">User name</label><input id="user" name="user" autocomplete="username" required value="${form['user'] ?? ''}">
      <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
      <label for="project">Project <span class="muted">(empty: your default project)</span></label><input id="project" name="project" value="${form['project'] ?? ''}">
      <label for="domain">Domain</label><input id="domain" name="domain" value="${form['domain'] ?? 'Default'}">
      <p><button type="submit">Sign in</button></p>
    </form>`,
  );
}

export function registerSignInPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/auth/login', (ctx) => signInForm(ctx));
  router.post('/auth/login', async (ctx) => {
    const form = ctx.state.form;
    if (!Sessions.csrfMatches(form['_csrf'], ctx.cookies.get(LOGIN_CSRF_COOKIE) ?? '')) {
      ctx.status = 403;
      return signInForm(ctx, 'The sign-in form carried no valid CSRF token: try again.');
    }
    try {
      const viewer = await deps.sessions.signIn({
        user: form['user'] ?? '',
        password: form['password'] ?? '',
        ...(form['project'] ? { project: form['project'] } : {}),
        ...(form['domain'] ? { domain: form['domain'] } : {}),
      });
      ctx.cookies.set(LOGIN_CSRF_COOKIE, null, { path: COOKIE_PATH });
      ctx.cookies.set(TOKEN_COOKIE, viewer.token, { ...cookieFor(ctx), expires: new Date(viewer.expiresAt) });
      const next = nextPath(form['next']);
      ctx.redirect(next === BASE ? `${BASE}${viewer.admin ? '/admin/cells' : '/servers'}` : next);
    } catch (err) {
      if (!(err instanceof ApiFault) || err.status >= 500) throw err;
      ctx.status = err.status;
      signInForm(ctx, err.status === 401 ? 'The user name, password or project is not right.' : err.message);
    }
  });
  router.post('/auth/logout', async (ctx) => {
    const token = ctx.cookies.get(TOKEN_COOKIE);
    if (token) await deps.sessions.signOut(token);
    ctx.cookies.set(TOKEN_COOKIE, null, { path: COOKIE_PATH });
    ctx.redirect(`${BASE}/auth/login`);
  });
}
