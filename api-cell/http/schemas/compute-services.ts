import { Type, type Static } from '@sinclair/typebox';
import { hostName } from './aggregates.js';

const reason = Type.String({ minLength: 1, maxLength: 255 });
/** Nova's boolean parameter: JSON booleans and their usual spellings. */
const boolean = Type.Union([
  Type.Boolean(),
  Type.String({ pattern: '^(true|True|TRUE|1|on|On|ON|yes|Yes|YES|false|False|FALSE|0|off|Off|OFF|no|No|NO)$' }),
]);

/** PUT /os-services/{action} before 2.53: the service named by host and binary; force-down from 2.11. */
export const ServiceActionBody = Type.Object(
  { host: hostName, binary: Type.String({ minLength: 1, maxLength: 255 }), disabled_reason: Type.Optional(reason) },
  { additionalProperties: false },
);
export const ServiceActionBody211 = Type.Object(
  {
    host: hostName,
    binary: Type.String({ minLength: 1, maxLength: 255 }),
    disabled_reason: Type.Optional(reason),
    forced_down: Type.Optional(boolean),
  },
  { additionalProperties: false },
);
export type ServiceActionBody = Static<typeof ServiceActionBody211>;

/** PUT /os-services/{service_id} from 2.53. */
export const ServiceUpdateBody253 = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
    disabled_reason: Type.Optional(reason),
    forced_down: Type.Optional(boolean),
  },
  { additionalProperties: false },
);
export type ServiceUpdateBody = Static<typeof ServiceUpdateBody253>;

export const truthy = (value: boolean | string): boolean => value === true || (typeof value === 'string' && /^(true|1|on|yes)$/i.test(value));

const multi = Type.Union([Type.String(), Type.Array(Type.String())]);
/** GET /os-services: host and binary filters; other parameters are refused from 2.75. */
export const ServiceListQuery = Type.Object({ host: Type.Optional(multi), binary: Type.Optional(multi) }, { additionalProperties: true });
export const ServiceListQuery275 = Type.Object({ host: Type.Optional(multi), binary: Type.Optional(multi) }, { additionalProperties: false });
export type ServiceListQuery = Static<typeof ServiceListQuery275>;
