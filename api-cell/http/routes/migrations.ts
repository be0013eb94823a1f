import type Router from '@koa/router';
import { isCell0 } from '../../cells/index.js';
import { getServer } from '../../compute/index.js';
import { listMigrations, type MigrationRecord } from '../../../child-cell/db/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { nextLinks, pageLimit } from '../paging.js';
import { allowQuery } from '../query.js';
import { requireAdmin } from '../policy.js';
import type { ApiState } from '../state.js';
import { isoTime } from '../views/links.js';
import type { ApiServices } from './services.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function date(value: unknown, name: string): Date | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(ms)) throw new InvalidInputError(`Invalid filter field: ${name}.`);
  return new Date(ms);
}

function migrationView(m: MigrationRecord & { project_id?: string; user_id?: string }, v: Microversion, publicUrl: string): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: m.id,
    source_node: m.source_node,
    dest_node: m.dest_node,
    source_compute: m.source_compute,
    dest_compute: m.dest_compute,
    dest_host: m.dest_compute,
    status: m.status,
    instance_uuid: m.instance_uuid,
    old_instance_type_id: m.old_instance_type_id,
    new_instance_type_id: m.new_instance_type_id,
    created_at: isoTime(m.created_at)?.replace('Z', '.000000'),
    updated_at: isoTime(m.updated_at)?.replace('Z', '.000000') ?? null,
  };
  if (atLeast(v, '2.23')) {
    view['migration_type'] = m.migration_type;
    if (m.migration_type === 'live-migration' && ['queued', 'running', 'preparing'].includes(m.status)) {
      view['links'] = [{ rel: 'self', href: `${publicUrl}/v2.1/servers/${m.instance_uuid}/migrations/${m.id}` }];
    }
  }
  if (atLeast(v, '2.59')) view['uuid'] = m.uuid;
  return view;
}

/** GET /os-migrations across every cell (admin), and a server's own in-progress live migrations. */
export function registerMigrationRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.get('/v2.1/os-migrations', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:os-migrations:index');
    const v = ctx.state.version;
    allowQuery(ctx, ['host', 'status', 'migration_type', 'instance_uuid', 'hidden', 'limit', 'marker', 'changes-since', 'changes-before', 'user_id', 'project_id']);
    const q = ctx.query;
    const limit = atLeast(v, '2.59') ? pageLimit(q['limit'], services.config.api.max_limit) : services.config.api.max_limit;
    const cells = (await services.registry.list()).filter((c) => !isCell0(c));
    const filter = {
      host: str(q['host']),
      status: str(q['status']),
      migrationType: atLeast(v, '2.23') ? str(q['migration_type']) : undefined,
      instanceUuid: str(q['instance_uuid']),
      changesSince: atLeast(v, '2.59') ? date(q['changes-since'], 'changes-since') : undefined,
      changesBefore: atLeast(v, '2.66') ? date(q['changes-before'], 'changes-before') : undefined,
      limit,
    };
    const answers = await services.registry.scatterGather(cells, ({ db }) => listMigrations(db, filter));
    const all = answers.flatMap((a) => (a.status === 'ok' ? a.value : []));
    all.sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || b.id - a.id);
    const page = all.slice(0, limit);
    const migrations = page.map((m) => migrationView(m, v, services.publicUrl));
    const links = atLeast(v, '2.59') ? nextLinks(services.publicUrl, '/v2.1/os-migrations', q, migrations, limit, () => page.at(-1)?.uuid ?? '') : [];
    ctx.body = { migrations, ...(links.length > 0 ? { migrations_links: links } : {}) };
  });

  router.get('/v2.1/servers/:id/migrations', async (ctx) => {
    requireAdmin(ctx.state.context, 'os_compute_api:servers:migrations:index');
    if (!atLeast(ctx.state.version, '2.23')) throw new NotFoundError('The resource could not be found.');
    const record = await getServer(services, ctx.state.context, ctx.params['id'] ?? '');
    if (record.source !== 'cell') {
      ctx.body = { migrations: [] };
      return;
    }
    const rows = await services.registry.withCell(record.cell, ({ db }) =>
      listMigrations(db, { instanceUuid: record.instance.uuid, migrationType: 'live-migration', limit: 100 }),
    );
    ctx.body = { migrations: rows.filter((m) => ['queued', 'running', 'preparing'].includes(m.status)).map((m) => migrationView(m, ctx.state.version, services.publicUrl)) };
  });
}
