import { Type, type TSchema } from '@sinclair/typebox';

/** Event names each microversion accepts: volume-extended at 2.51, power-update 2.76, accelerator-request-bound 2.82, volume-reimaged 2.93. */
const names: [string, string[]][] = [
  ['2.1', ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted']],
  ['2.51', ['volume-extended']],
  ['2.76', ['power-update']],
  ['2.82', ['accelerator-request-bound']],
  ['2.93', ['volume-reimaged']],
];

const body = (accepted: string[]): TSchema =>
  Type.Object(
    {
      events: Type.Array(
        Type.Object(
          {
            name: Type.Unsafe<string>({ type: 'string', enum: accepted }),
            server_uuid: Type.String({ format: 'uuid' }),
            status: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['failed', 'completed', 'in-progress'] })),
            tag: Type.Optional(Type.String({ maxLength: 255 })),
          },
          { additionalProperties: false },
        ),
        { minItems: 1 },
      ),
    },
    { additionalProperties: false },
  );

const bodies = names.map(([version], i) => ({ version, schema: body(names.slice(0, i + 1).flatMap(([, n]) => n)) })).reverse();

/** The POST /os-server-external-events body of the newest version the request is at. */
export function externalEventBody(atLeast: (version: string) => boolean): TSchema {
  return (bodies.find((b) => atLeast(b.version)) ?? { schema: body([]) }).schema;
}

export interface ExternalEvent {
  name: string;
  server_uuid: string;
  status?: string;
  tag?: string;
}
export interface ExternalEventsBody {
  events: ExternalEvent[];
}

/** Events that mean nothing without a tag (the volume, the power state, the request). */
export const TAG_REQUIRED = new Set(['volume-extended', 'power-update', 'accelerator-request-bound']);
