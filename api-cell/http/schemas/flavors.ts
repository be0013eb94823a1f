import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { flavorSortKeys } from '../../flavors/index.js';

/** Nova's "printable": no control or format characters, and no spaces but plain ones (Zs). */
const printable = '[^\\p{C}\\p{Zl}\\p{Zp}]';
/** Nova's `name` format: printable characters, not starting or ending with whitespace. */
export const printableName = Type.String({ minLength: 1, maxLength: 255, pattern: `^(?![\\p{C}\\p{Z}])${printable}*(?<![\\p{C}\\p{Z}])$` });
/** Nova's boolean parameter: a JSON boolean or one of the strings oslo reads as one. */
export const booleanParam = Type.Union([
  Type.Boolean(),
  Type.String({ enum: ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'] }),
]);

const maxInt = 0x7fffffff;
const sizeParam = (minimum: number) => Type.Union([Type.Integer({ minimum, maximum: maxInt }), Type.String({ pattern: '^[0-9]+$' })]);
const flavorDescription = Type.Union([Type.String({ minLength: 0, maxLength: 65535, pattern: `^${printable}*$` }), Type.Null()]);

const createFields = {
  name: printableName,
  id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' }), Type.Number(), Type.Null()])),
  ram: sizeParam(1),
  vcpus: sizeParam(1),
  disk: sizeParam(0),
  'OS-FLV-EXT-DATA:ephemeral': Type.Optional(sizeParam(0)),
  swap: Type.Optional(sizeParam(0)),
  rxtx_factor: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 3.40282e38 }), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' })])),
  'os-flavor-access:is_public': Type.Optional(booleanParam),
};

const wrap = <T extends TSchema>(flavor: T) => Type.Object({ flavor }, { additionalProperties: false });

/** POST /flavors from 2.1 to 2.54. */
export const CreateFlavorBody = wrap(Type.Object(createFields, { additionalProperties: false }));
/** POST /flavors from 2.55: a description too. */
export const CreateFlavorBodyV255 = wrap(Type.Object({ ...createFields, description: Type.Optional(flavorDescription) }, { additionalProperties: false }));
const { rxtx_factor: _rxtx, ...createFieldsV2102 } = createFields;
/** POST /flavors from 2.102: no rxtx_factor. */
export const CreateFlavorBodyV2102 = wrap(Type.Object({ ...createFieldsV2102, description: Type.Optional(flavorDescription) }, { additionalProperties: false }));
export type CreateFlavorBody = Static<typeof CreateFlavorBodyV255>;

/** PUT /flavors/{id} (2.55): only the description, and it must be there. */
export const UpdateFlavorBody = wrap(Type.Object({ description: flavorDescription }, { additionalProperties: false }));
export type UpdateFlavorBody = Static<typeof UpdateFlavorBody>;

const many = <T extends TSchema>(item: T) => Type.Optional(Type.Array(item));
const listFields = {
  limit: many(Type.Integer({ minimum: 0 })),
  marker: many(Type.String()),
  is_public: many(Type.String()),
  minRam: many(Type.String()),
  minDisk: many(Type.String()),
  sort_key: many(Type.String({ enum: [...flavorSortKeys] })),
  sort_dir: many(Type.String({ enum: ['asc', 'desc'] })),
};
/** GET /flavors and /flavors/detail below 2.75: unknown parameters are ignored. */
export const ListFlavorsQuery = Type.Object(listFields, { additionalProperties: true });
/** From 2.75 an unknown parameter is a 400. */
export const ListFlavorsQueryV275 = Type.Object(listFields, { additionalProperties: false });
/** From 2.102 a `name` filter (a regular expression), and no sorting on rxtx_factor. */
export const ListFlavorsQueryV2102 = Type.Object(
  { ...listFields, name: many(Type.String()), sort_key: many(Type.String({ enum: flavorSortKeys.filter((k) => k !== 'rxtx_factor') })) },
  { additionalProperties: false },
);
export type ListFlavorsQuery = Static<typeof ListFlavorsQuery> & { name?: string[] };

/** Extra spec keys and values; values may be numbers (Nova keeps them as strings). */
const specKey = '^[a-zA-Z0-9-_:. ]{1,255}$';
const specValue = Type.Union([Type.String({ maxLength: 255 }), Type.Number()]);
const specs = (extra: object = {}) => Type.Object({}, { patternProperties: { [specKey]: specValue }, additionalProperties: false, ...extra });
export const CreateExtraSpecsBody = Type.Object({ extra_specs: specs() }, { additionalProperties: false });
export type CreateExtraSpecsBody = Static<typeof CreateExtraSpecsBody>;
/** PUT /flavors/{id}/os-extra_specs/{key}: exactly one key, the one in the URL. */
export const UpdateExtraSpecBody = specs({ minProperties: 1, maxProperties: 1 });
export type ExtraSpecValues = Record<string, string | number>;

const tenant = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
export const AddTenantAccessBody = Type.Object({ addTenantAccess: tenant }, { additionalProperties: false });
export const RemoveTenantAccessBody = Type.Object({ removeTenantAccess: tenant }, { additionalProperties: false });
export type AddTenantAccessBody = Static<typeof AddTenantAccessBody>;
export type RemoveTenantAccessBody = Static<typeof RemoveTenantAccessBody>;
