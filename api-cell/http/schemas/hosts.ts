import { Type, type TSchema } from '@sinclair/typebox';

const toggle = Type.Unsafe<string>({ type: 'string', enum: ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'] });

/** PUT /os-hosts/{host}: status, maintenance_mode or both. */
export const UpdateHostBody: TSchema = Type.Object(
  { status: Type.Optional(toggle), maintenance_mode: Type.Optional(toggle) },
  { additionalProperties: false, anyOf: [{ required: ['status'] }, { required: ['maintenance_mode'] }] },
);
export interface UpdateHostBody {
  status?: string;
  maintenance_mode?: string;
}

/** GET /os-hosts: `zone`; other parameters are ignored (the API went at 2.43, before Nova turned strict). */
export const HostListQuery: TSchema = Type.Object({ zone: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) });
export interface HostListQuery {
  zone?: string | string[];
}
