import { InvalidInputError } from './errors.js';

export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const databaseSchemes = new Set(['mysql:', 'mariadb:', 'mysql+pymysql:']);

/** Parses `mysql://user:pass@host:port/name` (also `mariadb://` and Nova's `mysql+pymysql://`). */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const parsed = parseUrl(url, 'database URL');
  if (!databaseSchemes.has(parsed.protocol)) {
    throw new InvalidInputError(`database URL ${maskUrl(url)} must start with mysql:// or mariadb://`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new InvalidInputError(`database URL ${maskUrl(url)} must name a database (letters, digits, _ and $)`);
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
  };
}

export interface BusTarget {
  servers: string;
}

/** Parses a cell's transport URL, `nats://[user:pass@]host:port`. */
export function parseTransportUrl(url: string): BusTarget {
  const parsed = parseUrl(url, 'transport URL');
  if (parsed.protocol !== 'nats:') {
    throw new InvalidInputError(`transport URL ${maskUrl(url)} must start with nats://`);
  }
  if (!parsed.hostname) throw new InvalidInputError(`transport URL ${maskUrl(url)} has no host`);
  return { servers: url };
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
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1****@');
}

function parseUrl(url: string, what: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new InvalidInputError(`${what} "${maskUrl(url)}" is not a URL`, { cause });
  }
}
