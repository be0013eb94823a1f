import { createHash } from 'node:crypto';
import { serverStatus } from '../../../child-cell/instance/index.js';
import type { ServerRecord } from '../../compute/index.js';
import type { RequestContext } from '../../context.js';
import type { Microversion } from '../microversion.js';
import { isoTime, links } from './links.js';

export interface ViewOptions {
  publicUrl: string;
  context: RequestContext;
  version: Microversion;
}

/** Nova's hostId: the host hashed with the project, so projects cannot map each other's hosts. */
function hostId(projectId: string, host: string | null): string {
  return host ? createHash('sha224').update(`${projectId}${host}`).digest('hex') : '';
}

const powerStates: Record<number, number> = { 0: 0, 1: 1, 3: 3, 4: 4, 6: 6, 7: 7 };

/** GET /servers/{id}: one server as Nova 2.1 shows it, from its build request or its cell. */
export function serverView(record: ServerRecord, options: ViewOptions): Record<string, unknown> {
  const { publicUrl, context } = options;
  if (record.source === 'build') {
    const i = record.instance;
    return {
      id: i.uuid,
      name: i.display_name,
      status: 'BUILD',
      tenant_id: i.project_id,
      user_id: i.user_id,
      metadata: i.metadata,
      hostId: '',
      image: { id: i.image_ref, links: [{ rel: 'bookmark', href: `${publicUrl}/images/${i.image_ref}` }] },
      flavor: { id: i.flavor.flavorid, links: [{ rel: 'bookmark', href: `${publicUrl}/flavors/${i.flavor.flavorid}` }] },
      created: isoTime(record.created),
      updated: isoTime(record.created),
      addresses: {},
      accessIPv4: i.access_ip_v4 ?? '',
      accessIPv6: i.access_ip_v6 ?? '',
      links: links(publicUrl, 'servers', i.uuid),
      'OS-DCF:diskConfig': 'MANUAL',
      progress: 0,
      'OS-EXT-AZ:availability_zone': i.availability_zone ?? '',
      config_drive: i.config_drive,
      key_name: i.key_name,
      'OS-SRV-USG:launched_at': null,
      'OS-SRV-USG:terminated_at': null,
      'OS-EXT-STS:task_state': 'scheduling',
      'OS-EXT-STS:vm_state': 'building',
      'OS-EXT-STS:power_state': 0,
      'os-extended-volumes:volumes_attached': [],
      security_groups: [{ name: 'default' }],
      ...(context.isAdmin
        ? { 'OS-EXT-SRV-ATTR:host': null, 'OS-EXT-SRV-ATTR:hypervisor_hostname': null, 'OS-EXT-SRV-ATTR:instance_name': '' }
        : {}),
    };
  }
  const i = record.instance;
  const status = serverStatus(i.vm_state, i.task_state);
  const view: Record<string, unknown> = {
    id: i.uuid,
    name: i.display_name,
    status,
    tenant_id: i.project_id,
    user_id: i.user_id,
    metadata: i.metadata,
    hostId: hostId(i.project_id, i.host),
    image: { id: i.image_ref, links: [{ rel: 'bookmark', href: `${publicUrl}/images/${i.image_ref ?? ''}` }] },
    flavor: { id: i.flavor.flavorid, links: [{ rel: 'bookmark', href: `${publicUrl}/flavors/${i.flavor.flavorid}` }] },
    created: isoTime(i.created_at),
    updated: isoTime(i.updated_at ?? i.created_at),
    addresses: {},
    accessIPv4: i.access_ip_v4 ?? '',
    accessIPv6: i.access_ip_v6 ?? '',
    links: links(publicUrl, 'servers', i.uuid),
    'OS-DCF:diskConfig': 'MANUAL',
    progress: i.progress,
    'OS-EXT-AZ:availability_zone': i.availability_zone ?? '',
    config_drive: i.config_drive ?? '',
    key_name: i.key_name,
    'OS-SRV-USG:launched_at': isoTime(i.launched_at)?.replace('Z', '.000000') ?? null,
    'OS-SRV-USG:terminated_at': isoTime(i.terminated_at)?.replace('Z', '.000000') ?? null,
    'OS-EXT-STS:task_state': i.task_state,
    'OS-EXT-STS:vm_state': i.vm_state,
    'OS-EXT-STS:power_state': powerStates[i.power_state] ?? 0,
    'os-extended-volumes:volumes_attached': [],
    security_groups: [{ name: 'default' }],
  };
  if (context.isAdmin) {
    view['OS-EXT-SRV-ATTR:host'] = i.host;
    view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = i.node;
    view['OS-EXT-SRV-ATTR:instance_name'] = `instance-${i.id.toString(16).padStart(8, '0')}`;
  }
  if (i.fault && (status === 'ERROR' || status === 'DELETED')) {
    view['fault'] = {
      code: i.fault.code,
      created: isoTime(i.fault.created_at),
      message: i.fault.message,
      ...(context.isAdmin || i.fault.code !== 500 ? { details: i.fault.details ?? '' } : {}),
    };
  }
  return view;
}
