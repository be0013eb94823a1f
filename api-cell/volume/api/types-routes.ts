import type Router from '@koa/router';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { requireAdmin, requireReader } from '../../http/policy.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import { createType, defaultType, deleteType, findType, listTypes, updateType } from '../types.js';
import { at, queryValue, requireVersion, type VolumeApiDeps } from './common.js';
import { CreateTypeBody, ExtraSpecItemBody, ExtraSpecsBody, truthy, UpdateTypeBody } from './schemas.js';
import { typeView } from './views.js';

type TypeBody = { volume_type: { name?: string; description?: string | null; 'os-volume-type-access:is_public'?: boolean | string; is_public?: boolean | string; extra_specs?: Record<string, string> } };

/** /types: list and show for everyone (public types), create, update, delete and extra specs for admins. */
export function registerTypeRoutes(router: Router<ApiState>, deps: VolumeApiDeps): void {
  const db = deps.volumes.deps.db;
  router.get(at('/types'), async (ctx) => {
    requireReader(ctx.state.context, 'volume_extension:types_manage');
    const isPublic = queryValue(ctx, 'is_public');
    const types = await listTypes(db, ctx.state.context.isAdmin, isPublic === undefined || isPublic === 'None' ? undefined : truthy(isPublic));
    ctx.body = { volume_types: types.map((t) => typeView(t, ctx.state.context.isAdmin)) };
  });
  router.get(at('/types/default'), async (ctx) => {
    requireVersion(ctx, '3.62');
    ctx.body = { volume_type: typeView(await defaultType(db), ctx.state.context.isAdmin) };
  });
  router.get(at('/types/:id'), async (ctx) => {
    requireReader(ctx.state.context, 'volume_extension:type_get');
    ctx.body = { volume_type: typeView(await findType(db, ctx.params['id'] ?? '', ctx.state.context.isAdmin), ctx.state.context.isAdmin) };
  });
  router.post(at('/types'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:type_create');
    const { volume_type: t } = validate<TypeBody>(CreateTypeBody, ctx.state.body);
    const access = t['os-volume-type-access:is_public'];
    const made = await createType(db, { name: t.name ?? '', description: t.description, is_public: access === undefined ? true : truthy(access), extra_specs: t.extra_specs });
    ctx.body = { volume_type: typeView(made, true, 'create') };
  });
  router.put(at('/types/:id'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:type_update');
    const { volume_type: t } = validate<TypeBody>(UpdateTypeBody, ctx.state.body);
    const changed = await updateType(db, ctx.params['id'] ?? '', { name: t.name, description: t.description, is_public: t.is_public === undefined ? undefined : truthy(t.is_public) });
    ctx.body = { volume_type: typeView(changed, true, 'update') };
  });
  router.delete(at('/types/:id'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:type_delete');
    await deleteType(db, ctx.params['id'] ?? '');
    ctx.status = 202;
  });
  router.get(at('/types/:id/extra_specs'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:types_extra_specs:index');
    ctx.body = { extra_specs: (await findType(db, ctx.params['id'] ?? '')).extra_specs };
  });
  router.post(at('/types/:id/extra_specs'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:types_extra_specs:create');
    const { extra_specs: specs } = validate<{ extra_specs: Record<string, string> }>(ExtraSpecsBody, ctx.state.body);
    const type = await findType(db, ctx.params['id'] ?? '');
    await updateType(db, type.uuid, { extra_specs: { ...type.extra_specs, ...specs } });
    ctx.body = { extra_specs: specs };
  });
  router.get(at('/types/:id/extra_specs/:key'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:types_extra_specs:show');
    const key = ctx.params['key'] ?? '';
    const value = (await findType(db, ctx.params['id'] ?? '')).extra_specs[key];
    if (value === undefined) throw new NotFoundError(`Volume Type ${ctx.params['id'] ?? ''} has no extra specs with key ${key}.`);
    ctx.body = { [key]: value };
  });
  router.put(at('/types/:id/extra_specs/:key'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:types_extra_specs:update');
    const key = ctx.params['key'] ?? '';
    const body = validate<Record<string, string>>(ExtraSpecItemBody, ctx.state.body ?? null);
    if (!(key in body)) throw new InvalidInputError('Invalid input received: Request body and URI mismatch');
    const type = await findType(db, ctx.params['id'] ?? '');
    await updateType(db, type.uuid, { extra_specs: { ...type.extra_specs, [key]: body[key] ?? '' } });
    ctx.body = body;
  });
  router.delete(at('/types/:id/extra_specs/:key'), async (ctx) => {
    requireAdmin(ctx.state.context, 'volume_extension:types_extra_specs:delete');
    const key = ctx.params['key'] ?? '';
    const type = await findType(db, ctx.params['id'] ?? '');
    if (!(key in type.extra_specs)) throw new NotFoundError(`Volume Type ${type.uuid} has no extra specs with key ${key}.`);
    const { [key]: _gone, ...rest } = type.extra_specs;
    await updateType(db, type.uuid, { extra_specs: rest });
    ctx.status = 202;
  });
}
