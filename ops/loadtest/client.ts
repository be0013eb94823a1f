/** The load test's REST client: what it asks the Compute API, and how often it got answers. */

export interface ApiAnswer<T> {
  status: number;
  body: T | undefined;
}

/** An answer of 500 or more, kept so a report can say what failed and when. */
export interface FailedAnswer {
  /** Seconds since `started`. */
  at: number;
  method: string;
  path: string;
  status: number;
  body: string;
}

/** Requests finished in each second since `started`, split into writes and reads. */
export class RequestCounter {
  readonly writes: number[] = [];
  readonly reads: number[] = [];
  /** Answers by "write 202", "read 200", ... ("read 0": no answer at all). */
  readonly statuses: Record<string, number> = {};
  /** Answers of 500 or more in each second since `started`, by status ("503": [...]). */
  readonly failuresPerSecond: Record<string, number[]> = {};
  /** The first answers of 500 or more, with what was asked. */
  readonly failures: FailedAnswer[] = [];

  constructor(readonly started: number) {}

  count(write: boolean): void {
    const second = Math.max(0, Math.floor((Date.now() - this.started) / 1000));
    const series = write ? this.writes : this.reads;
    while (series.length <= second) series.push(0);
    series[second] = (series[second] ?? 0) + 1;
  }

  /** Tallies one answer (status 0: the request got none). */
  answered(method: string, path: string, status: number, body: string): void {
    const key = `${method === 'GET' ? 'read' : 'write'} ${status}`;
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (status < 500) return;
    const at = Math.max(0, (Date.now() - this.started) / 1000);
    const series = (this.failuresPerSecond[String(status)] ??= []);
    while (series.length <= Math.floor(at)) series.push(0);
    series[Math.floor(at)] = (series[Math.floor(at)] ?? 0) + 1;
    if (this.failures.length < 50) this.failures.push({ at, method, path, status, body: body.slice(0, 300) });
  }
}

export class ComputeApi {
  constructor(
    private readonly url: string,
    private readonly token: string,
    readonly counter: RequestCounter,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { 'x-auth-token': this.token, 'x-openstack-nova-api-version': '2.60' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${this.url}/v2.1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      this.counter.count(method !== 'GET');
      this.counter.answered(method, path, res.status, text);
      return { status: res.status, body: parseBody<T>(text) };
    } catch (err) {
      this.counter.answered(method, path, 0, String(err));
      return { status: 0, body: undefined };
    }
  }
}

/** A JSON body, or none when the answer was empty or not JSON (a proxy's error page). */
function parseBody<T>(text: string): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Logs in with a password as a client would: the project-scoped token and the project's id. */
export async function passwordToken(apiUrl: string, user: string, password: string, project: string): Promise<{ token: string; projectId: string }> {
  const res = await fetch(`${apiUrl}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
        scope: { project: { name: project, domain: { id: 'default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) throw new Error(`login as ${user} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token?: { project?: { id?: string } } };
  return { token, projectId: body.token?.project?.id ?? '' };
}

/** Lifts the project's instance, core and RAM quotas, as an admin would before a load test. */
export async function liftQuota(api: ComputeApi, projectId: string): Promise<void> {
  const res = await api.call('PUT', `/os-quota-sets/${projectId}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  if (res.status !== 200) throw new Error(`could not lift the quota of project ${projectId}: ${res.status}`);
}

/** The id of the first active image the API lists, as a client picks an image. */
export async function firstImage(api: ComputeApi, apiUrl: string, token: string): Promise<string> {
  const res = await fetch(`${apiUrl}/image/v2/images?status=active&limit=1`, { headers: { 'x-auth-token': token } });
  api.counter.count(false);
  const body = (await res.json()) as { images?: { id: string }[] };
  const id = body.images?.[0]?.id;
  if (!id) throw new Error(`the image service lists no active image (${res.status})`);
  return id;
}
