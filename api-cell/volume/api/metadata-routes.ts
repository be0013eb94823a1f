import type Router from '@koa/router';
import { NotFoundError } from '../../../ops/runtime/index.js';
import { requireMember, requireReader } from '../../http/policy.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import { updateFields, type StatusTable } from '../rows.js';
import { findSnapshot } from '../snapshots.js';
import { findVolume } from '../volumes.js';
import { at, viewerOf, type Ctx, type VolumeApiDeps } from './common.js';
import { MetadataBody, MetadataItemBody } from './schemas.js';

type Metadata = Record<string, string>;

/** `/volumes/{id}/metadata` and `/snapshots/{id}/metadata`: list, merge (POST), replace (PUT), one key (GET, PUT, DELETE). */
export function registerMetadataRoutes(router: Router<ApiState>, deps: VolumeApiDeps): void {
  const db = deps.volumes.deps.db;
  for (const table of ['volumes', 'snapshots'] as StatusTable[]) {
    const what = table === 'volumes' ? 'volume' : 'snapshot';
    const current = async (ctx: Ctx): Promise<Metadata> => {
      const id = ctx.params['id'] ?? '';
      return (table === 'volumes' ? await findVolume(db, id, viewerOf(ctx)) : await findSnapshot(db, id, viewerOf(ctx))).metadata;
    };
    const store = (ctx: Ctx, metadata: Metadata) => updateFields(db, table, ctx.params['id'] ?? '', { metadata });
    const write = (ctx: Ctx, rule: string) => requireMember(ctx.state.context, `${what}:${rule}`);
    router.get(at(`/${table}/:id/metadata`), async (ctx) => {
      requireReader(ctx.state.context, `${what}:get_${what}_metadata`);
      ctx.body = { metadata: await current(ctx) };
    });
    router.post(at(`/${table}/:id/metadata`), async (ctx) => {
      write(ctx, `update_${what}_metadata`);
      const { metadata } = validate<{ metadata: Metadata }>(MetadataBody, ctx.state.body);
      const merged = { ...(await current(ctx)), ...metadata };
      await store(ctx, merged);
      ctx.body = { metadata: merged };
    });
    router.put(at(`/${table}/:id/metadata`), async (ctx) => {
      write(ctx, `update_${what}_metadata`);
      const { metadata } = validate<{ metadata: Metadata }>(MetadataBody, ctx.state.body);
      await current(ctx);
      await store(ctx, metadata);
      ctx.body = { metadata };
    });
    router.get(at(`/${table}/:id/metadata/:key`), async (ctx) => {
      requireReader(ctx.state.context, `${what}:get_${what}_metadata`);
      const key = ctx.params['key'] ?? '';
      const value = (await current(ctx))[key];
      if (value === undefined) throw new NotFoundError(`Metadata item was not found`);
      ctx.body = { meta: { [key]: value } };
    });
    router.put(at(`/${table}/:id/metadata/:key`), async (ctx) => {
      write(ctx, `update_${what}_metadata`);
      const { meta } = validate<{ meta: Metadata }>(MetadataItemBody, ctx.state.body);
      const key = ctx.params['key'] ?? '';
      if (!(key in meta)) throw new NotFoundError('Request body and URI mismatch');
      await store(ctx, { ...(await current(ctx)), [key]: meta[key] ?? '' });
      ctx.body = { meta };
    });
    router.delete(at(`/${table}/:id/metadata/:key`), async (ctx) => {
      write(ctx, `delete_${what}_metadata`);
      const key = ctx.params['key'] ?? '';
      const { [key]: gone, ...rest } = await current(ctx);
      if (gone === undefined) throw new NotFoundError('Metadata item was not found');
      await store(ctx, rest);
      ctx.status = 200;
      ctx.body = '';
    });
  }
}
