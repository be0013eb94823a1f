import { Type, type TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';

const literals = (values: string[]) => Type.Union(values.map((v) => Type.Literal(v)));

const protocols26 = ['vnc', 'spice', 'rdp', 'serial'];
const types26 = ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial'];

const create = (protocols: string[], types: string[]) =>
  Type.Object(
    { remote_console: Type.Object({ protocol: literals(protocols), type: literals(types) }, { additionalProperties: false }) },
    { additionalProperties: false },
  );

const create26 = create(protocols26, types26);
// 2.8 adds VMware's MKS consoles.
const create28 = create([...protocols26, 'mks'], [...types26, 'webmks']);
// 2.99 adds SPICE's direct (native client) consoles.
const create299 = create([...protocols26, 'mks'], [...types26, 'webmks', 'spice-direct']);

/** POST /servers/{id}/remote-consoles by microversion. */
export function remoteConsole(version: Microversion): TSchema {
  return atLeast(version, '2.99') ? create299 : atLeast(version, '2.8') ? create28 : create26;
}

const typeOf = (types: string[]) => Type.Object({ type: literals(types) }, { additionalProperties: false });

/** The 2.1 to 2.5 actions, each with the console types it takes. */
export const consoleSchemas: Record<string, TSchema> = {
  'os-getVNCConsole': typeOf(['novnc', 'xvpvnc']),
  'os-getSPICEConsole': typeOf(['spice-html5']),
  'os-getRDPConsole': typeOf(['rdp-html5']),
  'os-getSerialConsole': typeOf(['serial']),
};
