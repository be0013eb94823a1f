import type { Image } from '../../images/index.js';
import { isoTime, links } from './links.js';

const statuses: Record<string, string> = { active: 'ACTIVE', queued: 'SAVING', saving: 'SAVING', deleted: 'DELETED', pending_delete: 'DELETED', killed: 'ERROR' };
const progress: Record<string, number> = { queued: 25, saving: 50, active: 100 };

/** Self and bookmark links, and the image's own address in the image service. */
function imageLinks(publicUrl: string, id: string): Record<string, string>[] {
  return [...links(publicUrl, 'images', id), { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${publicUrl}/image/images/${id}` }];
}

/** GET /images (the compute API's image proxy): id, name, links. */
export function proxyImageBrief(image: Image, publicUrl: string): Record<string, unknown> {
  return { id: image.uuid, name: image.name, links: imageLinks(publicUrl, image.uuid) };
}

/** GET /images/{id} and /images/detail, as Nova translates a Glance image. */
export function proxyImageView(image: Image, publicUrl: string): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: image.uuid,
    name: image.name,
    minRam: image.min_ram,
    minDisk: image.min_disk,
    metadata: image.properties,
    created: isoTime(image.created_at),
    updated: isoTime(image.updated_at ?? image.created_at),
    status: statuses[image.status] ?? 'UNKNOWN',
    progress: progress[image.status] ?? 0,
    'OS-EXT-IMG-SIZE:size': image.size,
    links: imageLinks(publicUrl, image.uuid),
  };
  const server = image.properties['instance_uuid'];
  if (server !== undefined) view['server'] = { id: server, links: links(publicUrl, 'servers', server) };
  const diskConfig = image.properties['auto_disk_config'];
  if (diskConfig !== undefined) view['OS-DCF:diskConfig'] = /^(true|1|on|yes|y|t)$/i.test(diskConfig.trim()) ? 'AUTO' : 'MANUAL';
  return view;
}
