import type { Middleware } from 'koa';
import { InvalidInputError } from '../../../ops/runtime/index.js';
import { NotAcceptableError } from '../../http/errors.js';
import { compare, formatVersion, type Microversion } from '../../http/microversion.js';
import type { ApiState } from '../../http/state.js';

/** The Block Storage microversions served (Cinder 2023.2 and later answer 3.70 at most). */
export const VOLUME_MIN: Microversion = { major: 3, minor: 0 };
export const VOLUME_MAX: Microversion = { major: 3, minor: 70 };

/** `OpenStack-API-Version: volume 3.X`, `latest`, or none (3.0); anything else is a 400, out of range a 406. */
export function volumeVersion(headers: Record<string, string | string[] | undefined>): Microversion {
  const header = headers['openstack-api-version'];
  const text = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim().split(/\s+/))
    .find(([service]) => service?.toLowerCase() === 'volume')?.[1];
  if (text === undefined || text === '') return VOLUME_MIN;
  if (text.toLowerCase() === 'latest') return VOLUME_MAX;
  const match = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text);
  if (!match) throw new InvalidInputError(`API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`);
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (compare(version, VOLUME_MIN) < 0 || compare(version, VOLUME_MAX) > 0) {
    throw new NotAcceptableError(`Version ${text} is not supported by the API. Minimum is ${formatVersion(VOLUME_MIN)} and maximum is ${formatVersion(VOLUME_MAX)}.`);
  }
  return version;
}

/** Reads the requested volume microversion and says which one answered. */
export function volumeMicroversions(): Middleware<ApiState> {
  return async (ctx, next) => {
    ctx.set('vary', 'OpenStack-API-Version');
    const version = volumeVersion(ctx.headers);
    ctx.state.version = version;
    ctx.set('openstack-api-version', `volume ${formatVersion(version)}`);
    await next();
  };
}
