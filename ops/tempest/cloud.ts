/** What a Tempest run needs from the deployment, read and made through its public API as an operator would. */

export interface AdminCredentials {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  domainName: string;
  region: string;
}

export interface CloudFacts {
  computeUrl: string;
  imageUrl: string;
  region: string;
  /** The image every test boots, and the one a rebuild moves to. */
  imageRef: string;
  imageRefAlt: string;
  flavorRef: string;
  flavorRefAlt: string;
  computeHosts: number;
}

/** The two flavors Tempest boots with: the alt one bigger, as resize tests want. */
export const tempestFlavors = [
  { name: 'tempest.small', ram: 128, vcpus: 1, disk: 1 },
  { name: 'tempest.alt', ram: 192, vcpus: 1, disk: 2 },
];
const altImageName = 'tempest-alt-image';

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region: string; url: string }[];
}

class Api {
  constructor(private readonly token: string) {}

  async call<T>(method: string, url: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await fetch(url, {
      method,
      headers: { 'X-Auth-Token': this.token, 'Content-Type': contentType, 'OpenStack-API-Version': 'compute 2.1' },
      ...(body === undefined ? {} : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

async function login(creds: AdminCredentials): Promise<{ token: string; catalog: CatalogEntry[] }> {
  const res = await fetch(`${creds.authUrl.replace(/\/+$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: creds.username, domain: { name: creds.domainName }, password: creds.password } } },
        scope: { project: { name: creds.projectName, domain: { name: creds.domainName } } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`admin login at ${creds.authUrl} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const token = res.headers.get('x-subject-token') ?? '';
  const body = (await res.json()) as { token: { catalog: CatalogEntry[] } };
  return { token, catalog: body.token.catalog };
}

function endpoint(catalog: CatalogEntry[], type: string, region: string): string {
  const found = catalog.find((c) => c.type === type)?.endpoints.find((e) => e.interface === 'public' && e.region === region);
  if (!found) throw new Error(`the catalog has no public ${type} endpoint in ${region}`);
  return found.url.replace(/\/+$/, '');
}

/** Reads the catalog, finds the registered image, and makes Tempest's flavors and second image when missing. */
export async function prepareCloud(creds: AdminCredentials, say: (line: string) => void): Promise<CloudFacts> {
  const { token, catalog } = await login(creds);
  const api = new Api(token);
  const computeUrl = endpoint(catalog, 'compute', creds.region);
  const imageUrl = endpoint(catalog, 'image', creds.region);

  const { flavors } = await api.call<{ flavors: { id: string; name: string }[] }>('GET', `${computeUrl}/flavors?is_public=None`);
  const flavorIds: string[] = [];
  for (const wanted of tempestFlavors) {
    let id = flavors.find((f) => f.name === wanted.name)?.id;
    if (!id) {
      id = (await api.call<{ flavor: { id: string } }>('POST', `${computeUrl}/flavors`, { flavor: wanted })).flavor.id;
      say(`created flavor ${wanted.name} (${id})`);
    }
    flavorIds.push(id);
  }

  const { images } = await api.call<{ images: { id: string; name: string; status: string }[] }>('GET', `${imageUrl}/v2/images?limit=1000`);
  const main = images.find((i) => i.status === 'active' && i.name.startsWith('cirros')) ?? images.find((i) => i.status === 'active' && i.name !== altImageName);
  if (!main) throw new Error('the image service holds no active image to boot (deploy up registers a cirros image)');
  let alt = images.find((i) => i.name === altImageName && i.status === 'active');
  if (!alt) {
    const made = await api.call<{ id: string; name: string; status: string }>('POST', `${imageUrl}/v2/images`, {
      name: altImageName,
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'public',
    });
    // Fake hosts never read an image's data; a few bytes make it active.
    await api.call('PUT', `${imageUrl}/v2/images/${made.id}/file`, new TextEncoder().encode('tempest alt image'), 'application/octet-stream');
    alt = made;
    say(`created image ${altImageName} (${made.id})`);
  }

  const { hypervisors } = await api.call<{ hypervisors: { state: string }[] }>('GET', `${computeUrl}/os-hypervisors`);
  return {
    computeUrl,
    imageUrl,
    region: creds.region,
    imageRef: main.id,
    imageRefAlt: alt.id,
    flavorRef: flavorIds[0] ?? '',
    flavorRefAlt: flavorIds[1] ?? '',
    computeHosts: hypervisors.filter((h) => h.state === 'up').length,
  };
}
