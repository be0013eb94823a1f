import { replaceInstanceMetadata } from '../../../child-cell/db/index.js';
import { buildMessage, TaskState } from '../../../child-cell/instance/index.js';
import { ifNotFound, InvalidInputError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import type { ApiDatabase } from '../../db/index.js';
import { findImage } from '../../images/index.js';
import { canonicalIpv6, hostnameFor } from '../names.js';
import type { ShowDeps } from '../show.js';
import { checkLocked, checkState, locate, recordAction } from '../target.js';
import { castToHost, startTask, type ActionDeps } from './cast.js';

export interface RebuildRequest {
  imageRef: string;
  name?: string;
  description?: string | null;
  metadata?: Record<string, string>;
  accessIPv4?: string;
  accessIPv6?: string;
  hostname?: string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  user_data?: string | null;
}

const states = { vm: ['active', 'stopped', 'error'], task: [null] };

/**
 * Rebuild: the server keeps its id, host and flavor and gets a fresh guest from an image (the
 * same or another), with name, metadata and addresses changed if asked.
 */
export async function rebuildServer(deps: ShowDeps & ActionDeps & { api: ApiDatabase }, context: RequestContext, uuid: string, r: RebuildRequest): Promise<void> {
  const imageId = r.imageRef.replace(/\/+$/, '').split('/').at(-1) ?? r.imageRef;
  const image = await findImage(deps.api, imageId, { projectId: context.projectId, isAdmin: context.isAdmin }).catch(
    ifNotFound(() => {
      throw new InvalidInputError(`Image ${imageId} could not be found.`);
    }),
  );
  if (image.status !== 'active') throw new InvalidInputError(`Image ${image.uuid} is not active.`);
  const target = await locate(deps, context, uuid, 'rebuild');
  checkLocked(context, target);
  checkState(target, 'rebuild', states);
  const updates: Record<string, unknown> = { task_state: TaskState.REBUILDING, image_ref: image.uuid };
  if (r.name !== undefined) {
    updates['display_name'] = r.name;
    if (r.hostname === undefined) updates['hostname'] = hostnameFor(r.name);
  }
  if (r.hostname !== undefined) updates['hostname'] = r.hostname;
  if (r.description !== undefined) updates['display_description'] = r.description;
  if (r.accessIPv4 !== undefined) updates['access_ip_v4'] = r.accessIPv4;
  if (r.accessIPv6 !== undefined) updates['access_ip_v6'] = r.accessIPv6 ? canonicalIpv6(r.accessIPv6) : null;
  if (r.user_data !== undefined) updates['user_data'] = r.user_data;
  if (r['OS-DCF:diskConfig'] !== undefined) updates['auto_disk_config'] = r['OS-DCF:diskConfig'] === 'AUTO';
  await startTask(deps, target, updates, states);
  const metadata = r.metadata;
  if (metadata) await deps.registry.withCell(target.cell, ({ db }) => replaceInstanceMetadata(db, uuid, metadata));
  await recordAction(deps, context, target, 'rebuild');
  const i = target.instance;
  await castToHost(
    deps,
    target,
    (client, host) =>
      client.rebuildInstance(
        host,
        { instance: buildMessage({ ...i, uuid, display_name: r.name ?? i.display_name, image_ref: image.uuid }, i.node ?? host) },
        context.requestId,
        deps.castTimeoutMs,
      ),
    { task_state: null },
  );
}
