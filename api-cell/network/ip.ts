import { isIPv4, isIPv6 } from 'node:net';

/** IPv4 and IPv6 addresses as BigInt, so one piece of arithmetic serves both versions. */
export type IpVersion = 4 | 6;

export interface Cidr {
  version: IpVersion;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
  /** Addresses in the block. */
  size: bigint;
}

const bitsOf = (version: IpVersion): number => (version === 4 ? 32 : 128);

export function ipVersionOf(text: string): IpVersion | undefined {
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  return undefined;
}

/** Parses an address in any form Node accepts; undefined when it is not one. */
export function parseIp(text: string): { version: IpVersion; value: bigint } | undefined {
  const version = ipVersionOf(text);
  if (version === 4) return { version, value: text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (version !== 6) return undefined;
  let address = text.split('%')[0] ?? text;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4Tail?.[1]) {
    const tail = parseIp(v4Tail[1])?.value ?? 0n;
    address = `${address.slice(0, -v4Tail[1].length)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { version, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** The canonical text of an address (RFC 5952 for IPv6: lower case, the longest run of zeros as `::`). */
export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - i * 16)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** Parses `addr/prefix`; `strict` refuses host bits set (Neutron refuses `10.0.0.1/24` as a subnet CIDR). */
export function parseCidr(text: string, strict = false): Cidr | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const bits = bitsOf(ip.version);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(bits)) || prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const network = ip.value & ~(size - 1n) & ((1n << BigInt(bits)) - 1n);
  if (strict && network !== ip.value) return undefined;
  return { version: ip.version, network, prefix, size };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.version, cidr.network)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, value: bigint): boolean {
  return value >= cidr.network && value < cidr.network + cidr.size;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network < b.network + b.size && b.network < a.network + a.size;
}
