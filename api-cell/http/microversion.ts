import { InvalidInputError } from '../../ops/runtime/index.js';
import { NotAcceptableError } from './errors.js';

export interface Microversion {
  major: number;
  minor: number;
}

/** The microversions this API serves. */
export const MIN_VERSION: Microversion = { major: 2, minor: 1 };
export const MAX_VERSION: Microversion = { major: 2, minor: 103 };

export const formatVersion = (v: Microversion): string => `${v.major}.${v.minor}`;

export function compare(a: Microversion, b: Microversion): number {
  return a.major === b.major ? a.minor - b.minor : a.major - b.major;
}

/** Is the request's version at least `version` ("2.47")? */
export function atLeast(v: Microversion, version: string): boolean {
  let wanted = parsed.get(version);
  if (!wanted) {
    const [major, minor] = version.split('.').map(Number);
    wanted = { major: major ?? 2, minor: minor ?? 0 };
    parsed.set(version, wanted);
  }
  return compare(v, wanted) >= 0;
}

/** The versions named in code, parsed once: a page of servers asks about each a thousand times. */
const parsed = new Map<string, Microversion>();

/** The version `OpenStack-API-Version` asks of `service` ("compute 2.47, volume 3.44"), if it names one. */
export function headerVersion(headers: Record<string, string | string[] | undefined>, service: string): string | undefined {
  const header = headers['openstack-api-version'];
  return (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((part) => part.trim().split(/\s+/))
    .find(([name]) => name?.toLowerCase() === service)?.[1];
}

/** A requested version checked against what is served: none is the oldest, `latest` the newest; malformed 400, out of range 406. */
export function checkedVersion(text: string | undefined, min: Microversion, max: Microversion): Microversion {
  if (text === undefined || text === '') return min;
  if (text.toLowerCase() === 'latest') return max;
  const match = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text);
  if (!match) throw new InvalidInputError(`API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`);
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (compare(version, min) < 0 || compare(version, max) > 0) {
    throw new NotAcceptableError(`Version ${text} is not supported by the API. Minimum is ${formatVersion(min)} and maximum is ${formatVersion(max)}.`);
  }
  return version;
}

/**
 * The version a request asks for: `OpenStack-API-Version: compute X.Y` or the older
 * `X-OpenStack-Nova-API-Version: X.Y`; `latest` is the newest served; none is the oldest.
 */
export function requestedVersion(headers: Record<string, string | string[] | undefined>): Microversion {
  const legacy = headers['x-openstack-nova-api-version'];
  return checkedVersion(headerVersion(headers, 'compute') ?? (Array.isArray(legacy) ? legacy[0] : legacy), MIN_VERSION, MAX_VERSION);
}
