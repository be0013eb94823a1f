import { ApiFault } from '../client.js';
import { html } from '../html.js';
import { viewerOf, type DashboardDeps, type DashboardRouter } from '../state.js';
import { BASE, csrfField, page } from './layout.js';

interface Named {
  id: string;
  name: string;
  enabled?: boolean;
  default_project_id?: string;
}

const DOMAIN = 'default';

/** Projects and users through the identity endpoint: list them, make a project, make a user who is a member of one. */
export function registerIdentityPages(router: DashboardRouter, deps: DashboardDeps): void {
  router.get('/admin/identity', async (ctx) => {
    const viewer = viewerOf(ctx);
    const [{ projects }, { users }] = await Promise.all([
      deps.api.get<{ projects: Named[] }>(viewer.token, '/identity/v3/projects'),
      deps.api.get<{ users: Named[] }>(viewer.token, '/identity/v3/users'),
    ]);
    const projectName = new Map(projects.map((p) => [p.id, p.name]));
    const csrf = csrfField(viewer);
    ctx.type = 'html';
    ctx.body = page(
      { title: 'Projects and users', viewer, section: 'identity' },
      html`<h2>Projects</h2><table id="projects"><thead><tr><th>Name</th><th>ID</th><th>Enabled</th><th></th></tr></thead><tbody>
        ${projects.map((p) => html`<tr data-name="${p.name}"><td>${p.name}</td><td>${p.id}</td><td>${p.enabled === false ? 'no' : 'yes'}</td><td><a href="${BASE}/admin/quotas/${p.id}">Quotas</a></td></tr>`)}</tbody></table>
        <form method="post" action="${BASE}/admin/identity/projects" class="card">${csrf}
          <label for="pr-name">Project name</label><input id="pr-name" name="name" required maxlength="64">
          <p><button type="submit">Create project</button></p></form>
        <h2>Users</h2><table id="users"><thead><tr><th>Name</th><th>ID</th><th>Default project</th><th>Enabled</th></tr></thead><tbody>
        ${users.map((u) => html`<tr data-name="${u.name}"><td>${u.name}</td><td>${u.id}</td><td>${projectName.get(u.default_project_id ?? '') ?? ''}</td><td>${u.enabled === false ? 'no' : 'yes'}</td></tr>`)}</tbody></table>
        <form method="post" action="${BASE}/admin/identity/users" class="card">${csrf}
          <label for="us-name">User name</label><input id="us-name" name="name" required maxlength="255">
          <label for="us-password">Password</label><input id="us-password" name="password" type="password" required autocomplete="new-password">
          <label for="us-project">Member of</label><select id="us-project" name="project">${projects.map((p) => html`<option value="${p.id}">${p.name}</option>`)}</select>
          <p><button type="submit">Create user</button></p></form>
        <p class="muted">Roles, groups and domains: <code>openstack role/group/domain</code> or <code>cellctl</code>.</p>`,
    );
  });
  router.post('/admin/identity/projects', async (ctx) => {
    await deps.api.call(viewerOf(ctx).token, '/identity/v3/projects', { method: 'POST', body: { project: { name: ctx.state.form['name'] ?? '', domain_id: DOMAIN } } });
    ctx.redirect(`${BASE}/admin/identity`);
  });
  router.post('/admin/identity/users', async (ctx) => {
    const { token } = viewerOf(ctx);
    const form = ctx.state.form;
    const project = form['project'] ?? '';
    const { roles } = await deps.api.get<{ roles: Named[] }>(token, '/identity/v3/roles?name=member');
    const member = roles[0];
    if (!member) throw new ApiFault(409, 'The identity service has no member role: run cellctl bootstrap.');
    const user = { name: form['name'] ?? '', password: form['password'] ?? '', domain_id: DOMAIN, ...(project ? { default_project_id: project } : {}) };
    const made = await deps.api.call<{ user: Named }>(token, '/identity/v3/users', { method: 'POST', body: { user } });
    // Keystone's two steps: the user, then the member role on the project (a default project grants nothing by itself).
    if (project) await deps.api.call(token, `/identity/v3/projects/${encodeURIComponent(project)}/users/${made.body.user.id}/roles/${member.id}`, { method: 'PUT' });
    ctx.redirect(`${BASE}/admin/identity`);
  });
}
