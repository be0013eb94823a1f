import type { InstanceFilters } from '../../child-cell/db/index.js';
import { serverStatus, type Instance } from '../../child-cell/instance/index.js';

/** What a server list is narrowed by, already checked against the caller's rights. */
export type ServerFilters = InstanceFilters;

/** The same filters applied to a build request (a server not yet in any cell). */
export function matchesBuild(f: ServerFilters, b: Instance, created: Date): boolean {
  if (f.nothing || f.deleted === 'deleted') return false;
  if (f.projectId !== undefined && b.project_id !== f.projectId) return false;
  if (f.uuids !== undefined && !f.uuids.includes(b.uuid)) return false;
  if (f.userId !== undefined && b.user_id !== f.userId) return false;
  if (f.name !== undefined && !safeRegex(f.name).test(b.display_name)) return false;
  if (f.vmStates && !f.vmStates.includes('building')) return false;
  if (f.taskStates && !f.taskStates.includes('scheduling')) return false;
  if (f.flavorDbId !== undefined && b.flavor.id !== f.flavorDbId) return false;
  if (f.image !== undefined && b.image_ref !== f.image) return false;
  if (f.host !== undefined || f.node !== undefined) return false;
  if (f.changesSince && created < f.changesSince) return false;
  if (f.changedBefore && created >= f.changedBefore) return false;
  if (f.reservationId !== undefined && b.reservation_id !== f.reservationId) return false;
  if (f.availabilityZone !== undefined && b.availability_zone !== f.availabilityZone) return false;
  if (f.locked !== undefined && b.locked !== f.locked) return false;
  if (f.keyName !== undefined && b.key_name !== f.keyName) return false;
  if (f.powerState !== undefined && f.powerState !== 0) return false;
  if (f.progress !== undefined && f.progress !== 0) return false;
  if (f.tags && !f.tags.every((t) => b.tags.includes(t))) return false;
  if (f.tagsAny && f.tagsAny.length > 0 && !f.tagsAny.some((t) => b.tags.includes(t))) return false;
  if (f.notTags && f.notTags.length > 0 && f.notTags.every((t) => b.tags.includes(t))) return false;
  if (f.notTagsAny && f.notTagsAny.some((t) => b.tags.includes(t))) return false;
  return serverStatus('building', 'scheduling') === 'BUILD';
}

function safeRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return /(?!)/;
  }
}

const statusMap: Record<string, { vm: string[]; task?: (string | null)[] }> = {
  ACTIVE: { vm: ['active'], task: [null, 'deleting'] },
  BUILD: { vm: ['building'] },
  ERROR: { vm: ['error'] },
  SHUTOFF: { vm: ['stopped'] },
  PAUSED: { vm: ['paused'] },
  SUSPENDED: { vm: ['suspended'] },
  VERIFY_RESIZE: { vm: ['resized'] },
  DELETED: { vm: ['deleted'] },
  SOFT_DELETED: { vm: ['soft-delete'] },
  SHELVED: { vm: ['shelved'] },
  SHELVED_OFFLOADED: { vm: ['shelved_offloaded'] },
  RESCUE: { vm: ['rescued'] },
  REBOOT: { vm: ['active'], task: ['rebooting', 'reboot_pending', 'reboot_started'] },
  HARD_REBOOT: { vm: ['active'], task: ['rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard'] },
  REBUILD: { vm: ['active', 'stopped', 'error'], task: ['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning'] },
  RESIZE: { vm: ['active', 'stopped'], task: ['resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish'] },
  REVERT_RESIZE: { vm: ['active', 'resized'], task: ['resize_reverting'] },
  MIGRATING: { vm: ['active', 'paused'], task: ['migrating'] },
};

/** Nova's status filter as vm and task states; undefined for a status Nova does not know. */
export function statusStates(status: string): { vm: string[]; task?: (string | null)[] } | undefined {
  return statusMap[status.toUpperCase()];
}
