/** What the dashboard asks the deployment for goes through its public REST APIs, as any client's would. */

/** A fault the API answered with: its status and its message, shown to the user as they are. */
export class ApiFault extends Error {
  override readonly name = 'ApiFault';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The compute microversion the dashboard speaks: 2.87 keeps hypervisors' resource fields (2.88 drops them). */
export const COMPUTE_VERSION = '2.87';

export interface ApiCall {
  method?: string;
  body?: unknown;
  /** A compute microversion other than COMPUTE_VERSION. */
  version?: string;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** The message of an OpenStack fault body ({"badRequest": {"message": ...}} or Keystone's {"error": ...}). */
function faultMessage(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    for (const value of Object.values(body as Record<string, unknown>)) {
      const message = (value as { message?: unknown } | null)?.message;
      if (typeof message === 'string') return message;
    }
  }
  return `the API answered ${status}`;
}

export class OpenStackClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Calls `path` with `token`; any answer that is not 2xx becomes an ApiFault. */
  async call<T = Record<string, unknown>>(token: string | undefined, path: string, call: ApiCall = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', 'openstack-api-version': `compute ${call.version ?? COMPUTE_VERSION}`, ...call.headers };
    if (token) headers['x-auth-token'] = token;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: call.method ?? 'GET',
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ApiFault(503, `the API at ${this.baseUrl} does not answer: ${(err as Error).message}`);
    }
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { text };
    }
    if (res.status >= 300) throw new ApiFault(res.status, faultMessage(body, res.status));
    return { status: res.status, body: body as T, headers: res.headers };
  }

  async get<T = Record<string, unknown>>(token: string, path: string, version?: string): Promise<T> {
    return (await this.call<T>(token, path, version ? { version } : {})).body;
  }

  /** Every page of a paged compute list (limit/marker), joined. */
  async getAll<T extends { id: string | number }>(token: string, path: string, key: string, pageSize = 1000): Promise<T[]> {
    const items: T[] = [];
    let marker: string | undefined;
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const page = await this.get<Record<string, T[]>>(token, `${path}${sep}limit=${pageSize}${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`);
      const got = page[key] ?? [];
      items.push(...got);
      const last = got.at(-1);
      if (got.length < pageSize || last === undefined) return items;
      marker = String(last.id);
    }
  }
}
