import { Type, type TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';
import { strict } from './common.js';
import { serverRebuildResponse } from './servers.js';

/** Answers of POST /servers/{id}/action that have a body, by action and microversion (Nova's API reference). */

const url = Type.String({ format: 'uri' });
const imageId = strict({ image_id: Type.String({ format: 'uuid' }) });

export function serverActionResponse(action: string, v: Microversion): TSchema | undefined {
  switch (action) {
    case 'rebuild':
      return serverRebuildResponse(v);
    case 'os-getConsoleOutput':
      return strict({ output: Type.String() });
    case 'os-getVNCConsole':
    case 'os-getSPICEConsole':
    case 'os-getSerialConsole':
      return strict({ console: strict({ type: Type.String(), url }) });
    case 'rescue':
      return strict({}, { adminPass: Type.String() });
    case 'evacuate':
      return strict({}, { adminPass: Type.String() });
    case 'createImage':
    case 'createBackup':
      return atLeast(v, '2.45') ? imageId : undefined;
    default:
      return undefined;
  }
}

/** POST /servers/{id}/remote-consoles (2.6). */
export const remoteConsoleResponse: TSchema = strict({
  remote_console: strict({
    protocol: Type.Union(['vnc', 'rdp', 'serial', 'spice', 'mks'].map((s) => Type.Literal(s))),
    type: Type.Union(['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'spice-direct', 'serial', 'webmks'].map((s) => Type.Literal(s))),
    url,
  }),
});

/** GET /servers/{id}/os-server-password. */
export const serverPasswordResponse: TSchema = strict({ password: Type.String() });

const address = strict({ addr: Type.String(), version: Type.Union([Type.Literal(4), Type.Literal(6)]) });
/** GET /servers/{id}/ips. */
export const serverAddressesResponse: TSchema = strict({ addresses: Type.Record(Type.String(), Type.Array(address)) });
