import { createHash } from 'node:crypto';

export interface CatalogEndpoint {
  id: string;
  interface: string;
  region: string;
  region_id: string;
  url: string;
}

export interface CatalogEntry {
  id: string;
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

const stableId = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The service catalog: everything is served by the API process at its public URL. */
export function serviceCatalog(publicUrl: string, region: string): CatalogEntry[] {
  const services: [string, string, string][] = [
    ['compute', 'nova', `${publicUrl}/v2.1`],
    ['identity', 'keystone', `${publicUrl}/identity/v3`],
    ['image', 'glance', `${publicUrl}/image`],
    ['network', 'neutron', `${publicUrl}/network`],
    ['placement', 'placement', `${publicUrl}/placement`],
    // Keystone catalogs list Cinder v3 under both its old and its official type.
    ['volumev3', 'cinderv3', `${publicUrl}/volume/v3`],
    ['block-storage', 'cinder', `${publicUrl}/volume/v3`],
  ];
  return services.map(([type, name, url]) => ({
    id: stableId(`service ${type}`),
    type,
    name,
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({
      id: stableId(`endpoint ${type} ${iface}`),
      interface: iface,
      region,
      region_id: region,
      url,
    })),
  }));
}
