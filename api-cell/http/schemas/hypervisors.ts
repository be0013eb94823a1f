import { Type, type Static } from '@sinclair/typebox';
import { hostName } from './aggregates.js';

/** Nova's boolean parameter as a query string carries it. */
export const booleanQuery = Type.String({ pattern: '^(true|True|TRUE|1|on|On|ON|yes|Yes|YES|false|False|FALSE|0|off|Off|OFF|no|No|NO)$' });
export const queryTrue = (value: string | undefined): boolean => value !== undefined && /^(true|1|on|yes)$/i.test(value);

const limit = Type.Integer({ minimum: 0 });
const marker = Type.String();

/** GET /os-hypervisors and /detail: before 2.33 anything goes; 2.33 adds paging; 2.53 closes the list. */
export const HypervisorListQuery233 = Type.Object({ limit: Type.Optional(limit), marker: Type.Optional(marker) }, { additionalProperties: true });
export const HypervisorListQuery253 = Type.Object(
  {
    limit: Type.Optional(limit),
    marker: Type.Optional(marker),
    hypervisor_hostname_pattern: Type.Optional(hostName),
    with_servers: Type.Optional(booleanQuery),
  },
  { additionalProperties: false },
);
export type HypervisorListQuery = Static<typeof HypervisorListQuery253>;

export const HypervisorShowQuery253 = Type.Object({ with_servers: Type.Optional(booleanQuery) }, { additionalProperties: false });
export type HypervisorShowQuery = Static<typeof HypervisorShowQuery253>;
