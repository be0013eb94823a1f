import type { RequestContext } from '../context.js';
import { QuotaExceededError } from '../../ops/runtime/index.js';
import { addInstanceTag, deleteInstanceMetadataKey, removeInstanceTag, setInstanceMetadata, setInstanceTags } from '../../child-cell/db/index.js';
import { checkLocked, checkState, locate, type Target } from './target.js';
import type { ShowDeps } from './show.js';

/** Nova lets metadata change when the instance rests in one of these states. */
const metadataStates = { vm: ['active', 'paused', 'suspended', 'stopped'], task: [null] };
/** And tags in these. */
const tagStates = { vm: ['active', 'building', 'paused', 'rescued', 'resized', 'shelved', 'shelved_offloaded', 'stopped', 'suspended', 'error'] };

export interface MetadataDeps extends ShowDeps {
  metadataLimit: (projectId: string) => Promise<number>;
}

async function writable(deps: ShowDeps, context: RequestContext, uuid: string, action: string, states: { vm: string[]; task?: (string | null)[] }): Promise<Target> {
  const target = await locate(deps, context, uuid, action);
  checkLocked(context, target);
  checkState(target, action, states);
  return target;
}

/**
 * Sets server metadata: `replace` drops keys not given (PUT), otherwise keys are merged (POST).
 * Returns the metadata after the change. The quota of metadata items is checked on the result.
 */
export async function setMetadata(deps: MetadataDeps, context: RequestContext, uuid: string, items: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
  const target = await writable(deps, context, uuid, 'update_metadata', metadataStates);
  const result = replace ? { ...items } : { ...target.instance.metadata, ...items };
  const limit = await deps.metadataLimit(target.instance.project_id);
  if (limit >= 0 && Object.keys(result).length > limit) {
    throw new QuotaExceededError(`Quota exceeded for metadata_items: Requested ${Object.keys(result).length}, but the limit is ${limit}`);
  }
  await deps.registry.withCell(target.cell, ({ db }) => setInstanceMetadata(db, uuid, result));
  return result;
}

export async function deleteMetadataKey(deps: MetadataDeps, context: RequestContext, uuid: string, key: string): Promise<boolean> {
  const target = await writable(deps, context, uuid, 'delete_instance_metadata', metadataStates);
  if (!(key in target.instance.metadata)) return false;
  await deps.registry.withCell(target.cell, ({ db }) => deleteInstanceMetadataKey(db, uuid, key));
  return true;
}

const maxTags = 50;

/** Replaces all tags (PUT /tags, or an empty list for DELETE /tags). */
export async function setTags(deps: ShowDeps, context: RequestContext, uuid: string, tags: string[]): Promise<string[]> {
  const target = await writable(deps, context, uuid, 'update_tags', tagStates);
  const unique = [...new Set(tags)];
  if (unique.length > maxTags) throw new QuotaExceededError(`Instance ${uuid} has too many tags: at most ${maxTags}`);
  await deps.registry.withCell(target.cell, ({ db }) => setInstanceTags(db, uuid, unique));
  return unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Adds one tag; true when it was not there before. */
export async function addTag(deps: ShowDeps, context: RequestContext, uuid: string, tag: string): Promise<boolean> {
  const target = await writable(deps, context, uuid, 'update_tag', tagStates);
  if (target.instance.tags.includes(tag)) return false;
  if (target.instance.tags.length >= maxTags) throw new QuotaExceededError(`Instance ${uuid} has too many tags: at most ${maxTags}`);
  await deps.registry.withCell(target.cell, ({ db }) => addInstanceTag(db, uuid, tag));
  return true;
}

export async function removeTag(deps: ShowDeps, context: RequestContext, uuid: string, tag: string): Promise<boolean> {
  const target = await writable(deps, context, uuid, 'delete_tag', tagStates);
  if (!target.instance.tags.includes(tag)) return false;
  await deps.registry.withCell(target.cell, ({ db }) => removeInstanceTag(db, uuid, tag));
  return true;
}
