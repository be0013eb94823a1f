/** The load test's REST client: what it asks the Compute API, and how often it got answers. */

export interface ApiAnswer<T> {
  status: number;
  body: T | undefined;
}

/** Requests finished in each second since `started`, split into writes and reads. */
export class RequestCounter {
  readonly writes: number[] = [];
  readonly reads: number[] = [];

  constructor(readonly started: number) {}

  count(write: boolean): void {
    const second = Math.max(0, Math.floor((Date.now() - this.started) / 1000));
    const series = write ? this.writes : this.reads;
    while (series.length <= second) series.push(0);
    series[second] = (series[second] ?? 0) + 1;
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
      return { status: res.status, body: text ? (JSON.parse(text) as T) : undefined };
    } catch {
      return { status: 0, body: undefined };
    }
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
