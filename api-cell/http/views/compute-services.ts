import type { ServiceInCell, UnknownService } from '../../hosts/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { isoTime } from './links.js';

/** Nova's service view: integer ids before 2.53, uuids from it; forced_down from 2.11. */
export function serviceView(s: ServiceInCell, version: Microversion): Record<string, unknown> {
  const { service } = s;
  return {
    id: atLeast(version, '2.53') ? service.uuid : service.id,
    binary: service.binary,
    host: service.host,
    zone: s.zone,
    status: service.disabled ? 'disabled' : 'enabled',
    state: s.up ? 'up' : 'down',
    updated_at: isoTime(service.updated_at),
    disabled_reason: service.disabled_reason,
    ...(atLeast(version, '2.11') ? { forced_down: service.forced_down } : {}),
  };
}

/** A compute service of a cell that did not answer (2.69): what the host mapping knows. */
export function unknownServiceView(s: UnknownService): Record<string, unknown> {
  return { binary: s.binary, host: s.host, status: 'UNKNOWN' };
}
