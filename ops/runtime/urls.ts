import { InvalidInputError } from './errors.js';

export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Every server the URL names, the first first: members of one Galera cluster (`h1:3306,h2:3306`). */
  members: { host: string; port: number }[];
}

const databaseSchemes = new Set(['mysql:', 'mariadb:', 'mysql+pymysql:']);

/**
 * Parses `mysql://user:pass@host:port/name` (also `mariadb://` and Nova's `mysql+pymysql://`),
 * or a cluster's servers after one set of credentials: `mysql://user:pass@h1:3306,h2:3306/name`.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const hostsAt = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?)([^/?#]*)(.*)$/i.exec(url);
  const [first = '', ...others] = (hostsAt?.[2] ?? '').split(',');
  const parsed = parseUrl(hostsAt ? `${hostsAt[1] ?? ''}${first}${hostsAt[3] ?? ''}` : url, 'database URL');
  if (!databaseSchemes.has(parsed.protocol)) {
    throw new InvalidInputError(`database URL ${maskUrl(url)} must start with mysql:// or mariadb://`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new InvalidInputError(`database URL ${maskUrl(url)} must name a database (letters, digits, _ and $)`);
  }
  const host = parsed.hostname || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : 3306;
  const members = [{ host, port }, ...others.map((member) => {
    const found = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(member);
    if (!found) throw new InvalidInputError(`database URL ${maskUrl(url)} has a server that is not host:port ("${member}")`);
    return { host: found[1] ?? '', port: Number(found[2] ?? 3306) };
  })];
  return { host, port, user: decodeURIComponent(parsed.username) || 'root', password: decodeURIComponent(parsed.password), database, members };
}

export interface BusTarget {
  /** One URL per server: a cell's bus may be a cluster, each member named (`nats://h1:4222,h2:4222`). */
  servers: string[];
  /** `tls://`: the servers speak only TLS, with certificates the deployment's CA signed for their addresses. */
  tls: boolean;
}

/**
 * Parses a cell's transport URL, `nats://[user:pass@]host:port`, or several servers of one
 * cluster after one scheme, comma-separated as in Nova's transport URLs
 * (`nats://u:p@h1:4222,u:p@h2:4222`); each member carries its own credentials. `tls://` instead
 * of `nats://` says the servers require TLS.
 */
export function parseTransportUrl(url: string): BusTarget {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
  const scheme = match?.[1]?.toLowerCase();
  if (!match || (scheme !== 'nats' && scheme !== 'tls')) {
    throw new InvalidInputError(`transport URL ${maskUrl(url)} must start with nats:// (or tls://)`);
  }
  const rest = match[3] ?? '';
  const servers = (match[2] ?? '').split(',').map((member) => {
    const server = `nats://${member}${rest}`;
    if (!parseUrl(server, 'transport URL').hostname) throw new InvalidInputError(`transport URL ${maskUrl(url)} has a server with no host`);
    return server;
  });
  return { servers, tls: scheme === 'tls' };
}

/** Parses `host:port` as used by listen options. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(.*):(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new InvalidInputError(`listen address "${listen}" must be host:port`);
  return { host: match[1] || '127.0.0.1', port };
}

/** The URL with any password replaced by `****`, safe to print and log. */
export function maskUrl(url: string): string {
  // Every member of a server list (`scheme://u:p@h1,u:p@h2`) has its password masked.
  return url.replace(/(^[a-z][a-z0-9+.-]*:\/\/|,)([^:/@,]*:)[^@/,]*@/gi, '$1$2****@');
}

function parseUrl(url: string, what: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new InvalidInputError(`${what} "${maskUrl(url)}" is not a URL`, { cause });
  }
}
