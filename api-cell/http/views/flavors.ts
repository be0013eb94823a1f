import type { Flavor } from '../../flavors/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import type { ApiState } from '../state.js';
import { links } from './links.js';

export interface FlavorViewOptions {
  publicUrl: string;
  version: Microversion;
  /** From 2.61 the detailed view carries extra_specs when the caller may read them. */
  extraSpecs: boolean;
}

/** From 2.61 flavors carry their extra specs for callers who may read them (any role). */
export function flavorViewOptions(state: ApiState, publicUrl: string): FlavorViewOptions {
  const { context, version } = state;
  const extraSpecs = context.isAdmin || context.roles.some((r) => r === 'member' || r === 'reader');
  return { publicUrl, version, extraSpecs };
}

/** GET /flavors: id, name, links; description from 2.55. */
export function flavorBriefView(flavor: Flavor, options: FlavorViewOptions): Record<string, unknown> {
  const view: Record<string, unknown> = { id: flavor.flavorid, name: flavor.name, links: links(options.publicUrl, 'flavors', flavor.flavorid) };
  if (atLeast(options.version, '2.55')) view['description'] = flavor.description;
  return view;
}

/** GET /flavors/{id} and /flavors/detail, as Nova's flavor view builds it at each microversion. */
export function flavorView(flavor: Flavor, options: FlavorViewOptions): Record<string, unknown> {
  const { version } = options;
  const view: Record<string, unknown> = {
    id: flavor.flavorid,
    name: flavor.name,
    ram: flavor.memory_mb,
    disk: flavor.root_gb,
    // Below 2.75 a flavor without swap says "" rather than 0.
    swap: flavor.swap || (atLeast(version, '2.75') ? 0 : ''),
    'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': flavor.disabled,
    vcpus: flavor.vcpus,
    'os-flavor-access:is_public': flavor.is_public,
    rxtx_factor: flavor.rxtx_factor || '',
    links: links(options.publicUrl, 'flavors', flavor.flavorid),
  };
  // 2.102 dropped the fields of the long-gone flavor-disabled and flavor-rxtx extensions.
  if (atLeast(version, '2.102')) {
    delete view['OS-FLV-DISABLED:disabled'];
    delete view['rxtx_factor'];
  }
  if (atLeast(version, '2.55')) view['description'] = flavor.description;
  if (options.extraSpecs && atLeast(version, '2.61')) view['extra_specs'] = flavor.extra_specs;
  return view;
}
