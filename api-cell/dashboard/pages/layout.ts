import { html, raw, type Html } from '../html.js';
import type { Viewer } from '../session.js';

export const BASE = '/dashboard';

const style = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{display:flex;gap:1.2em;align-items:center;background:#1d2330;color:#fff;padding:.5em 1em}
header a{color:#cfd8ea;text-decoration:none}header a.on{color:#fff;font-weight:600}
header .who{margin-left:auto;color:#9aa6bd}header form{display:inline}
main{padding:1em 1.5em}h1{font-size:1.3em;margin:.2em 0 .8em}
table{border-collapse:collapse;background:#fff;min-width:40em}th,td{text-align:left;padding:.35em .7em;border-bottom:1px solid #e3e6eb}
th{background:#eef0f4;font-weight:600}.up,.ACTIVE{color:#17803d}.down,.ERROR,.UNKNOWN{color:#c0262d;font-weight:600}
.disabled,.SHUTOFF{color:#8a6d00}.BUILD{color:#2456b3}
.flash{padding:.6em 1em;margin-bottom:1em;border-radius:4px}.flash.error{background:#fde8e8;color:#8c1d22}.flash.info{background:#e6f1fd}
form.inline{display:inline}button{cursor:pointer}label{display:block;margin:.5em 0 .2em}
input,select,textarea{font:inherit;padding:.25em}.card{background:#fff;padding:1em;border:1px solid #e3e6eb;display:inline-block;vertical-align:top;margin:0 1em 1em 0}
pre{background:#111;color:#ddd;padding:1em;overflow:auto;max-height:30em}.muted{color:#7a8499}
`;

export interface PageOptions {
  title: string;
  viewer?: Viewer;
  /** Which nav entry is lit. */
  section?: string;
  flash?: { kind: 'error' | 'info'; text: string };
  /** Script files under /dashboard/static/ this page runs. */
  scripts?: string[];
}

const adminLinks: [string, string, string][] = [
  ['/admin/cells', 'cells', 'Cells'],
  ['/admin/hosts', 'hosts', 'Hosts'],
  ['/admin/activity', 'activity', 'Activity'],
  ['/admin/flavors', 'flavors', 'Flavors'],
  ['/admin/images', 'images', 'All images'],
  ['/admin/aggregates', 'aggregates', 'Aggregates'],
  ['/admin/identity', 'identity', 'Projects'],
];

function nav(viewer: Viewer, section: string | undefined): Html {
  const link = (href: string, name: string, label: string) => html`<a href="${BASE}${href}" class="${section === name ? 'on' : ''}">${label}</a>`;
  return html`<header>
    <strong>cellstack</strong>
    ${link('/servers', 'servers', 'Servers')}
    ${link('/servers/new', 'launch', 'Launch')}
    ${link('/keypairs', 'keypairs', 'Key pairs')}
    ${link('/server-groups', 'groups', 'Groups')}
    ${link('/images', 'project-images', 'Images')}
    ${link('/usage', 'usage', 'Usage')}
    ${viewer.admin ? adminLinks.map(([href, name, label]) => link(href, name, label)) : []}
    <span class="who">${viewer.userName} · ${viewer.projectName}${viewer.admin ? ' · admin' : ''}</span>
    <form method="post" action="${BASE}/auth/logout">${csrfField(viewer)}<button>Sign out</button></form>
  </header>`;
}

export const csrfField = (viewer: Viewer): Html => html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;

export function page(options: PageOptions, body: Html): string {
  const { viewer } = options;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · cellstack</title><style>${raw(style)}</style>
${viewer ? html`<meta name="csrf" content="${viewer.csrf}">` : ''}
</head><body>
${viewer ? nav(viewer, options.section) : ''}
<main>
${options.flash ? html`<div class="flash ${options.flash.kind}" role="alert">${options.flash.text}</div>` : ''}
<h1>${options.title}</h1>
${body}
</main>
${(options.scripts ?? []).map((s) => html`<script src="${BASE}/static/${s}"></script>`)}
</body></html>`.text;
}
