import type { Middleware } from 'koa';
import { checkedVersion, formatVersion, headerVersion, type Microversion } from '../../http/microversion.js';
import type { ApiState } from '../../http/state.js';

/** The Block Storage microversions served (Cinder 2023.2 and later answer 3.70 at most). */
export const VOLUME_MIN: Microversion = { major: 3, minor: 0 };
export const VOLUME_MAX: Microversion = { major: 3, minor: 70 };

/** `OpenStack-API-Version: volume 3.X`, `latest`, or none (3.0); anything else is a 400, out of range a 406. */
export function volumeVersion(headers: Record<string, string | string[] | undefined>): Microversion {
  return checkedVersion(headerVersion(headers, 'volume'), VOLUME_MIN, VOLUME_MAX);
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
