import { formatIp, parseIp, type Cidr, type IpVersion } from './ip.js';

/** One allocation pool of a subnet, as the API shows it. */
export interface AllocationPool {
  start: string;
  end: string;
}

/** A pool as numbers, for the allocator. */
export interface Range {
  first: bigint;
  last: bigint;
}

export function rangesOf(pools: AllocationPool[]): Range[] {
  return pools
    .map((p) => ({ first: parseIp(p.start)?.value ?? 0n, last: parseIp(p.end)?.value ?? -1n }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

/**
 * Neutron's default pools: the whole CIDR but its network address, the IPv4 broadcast address and
 * the gateway, which splits the range in two when it sits inside.
 */
export function defaultPools(cidr: Cidr, gateway: bigint | undefined): AllocationPool[] {
  const first = cidr.network + (cidr.version === 4 && cidr.size > 2n ? 1n : cidr.version === 6 ? 1n : 0n);
  const last = cidr.network + cidr.size - (cidr.version === 4 && cidr.size > 2n ? 2n : 1n);
  const ranges: Range[] = [];
  if (gateway !== undefined && gateway >= first && gateway <= last) {
    if (gateway > first) ranges.push({ first, last: gateway - 1n });
    if (gateway < last) ranges.push({ first: gateway + 1n, last });
  } else if (first <= last) {
    ranges.push({ first, last });
  }
  return ranges.map((r) => poolOf(cidr.version, r));
}

export const poolOf = (version: IpVersion, r: Range): AllocationPool => ({ start: formatIp(version, r.first), end: formatIp(version, r.last) });

export const poolSize = (ranges: Range[]): bigint => ranges.reduce((sum, r) => sum + (r.last - r.first + 1n), 0n);

/** The address at `offset` counted across the pools in order. */
export function addressAt(ranges: Range[], offset: bigint): bigint {
  let rest = offset;
  for (const r of ranges) {
    const size = r.last - r.first + 1n;
    if (rest < size) return r.first + rest;
    rest -= size;
  }
  throw new RangeError(`offset ${offset} is past the pools`);
}

export const inRanges = (ranges: Range[], value: bigint): boolean => ranges.some((r) => value >= r.first && value <= r.last);
