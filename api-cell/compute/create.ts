import { randomUUID } from 'node:crypto';
import { persistBuilds, type BuildInstance, type GroupSpec, type RequestSpec } from '../builds/index.js';
import type { ApiDatabase } from '../db/index.js';
import { findFlavor, flavorSnapshot, type Flavor } from '../flavors/index.js';
import { findImage, type Image } from '../images/index.js';
import { chargeInstances, ensureUsageRows, quotaLimits } from '../quota/index.js';
import type { RequestContext } from '../context.js';
import { errorMessage, execute, InvalidInputError, NotFoundError, placeholders, QuotaExceededError, retryDeadlocks, select, type Config, type Logger } from '../../ops/runtime/index.js';
import type { BuildQueue } from '../../super-conductor/queue/index.js';
import { displayNameFor, hostnameFor, newAdminPass, newReservationId } from './names.js';

/** A create request after schema validation. */
export interface CreateServerRequest {
  name: string;
  flavorRef: string;
  imageRef: string;
  description?: string | null;
  metadata?: Record<string, string>;
  availability_zone?: string;
  key_name?: string;
  user_data?: string;
  config_drive?: boolean;
  accessIPv4?: string;
  accessIPv6?: string;
  adminPass?: string;
  min_count: number;
  max_count: number;
  tags?: string[];
  groupUuid?: string;
  schedulerHints: Record<string, unknown>;
}

export interface CreateServerResult {
  uuids: string[];
  reservationId: string;
  adminPass: string;
}

export interface CreateDeps {
  api: ApiDatabase;
  queue: BuildQueue;
  config: Config;
  log: Logger;
}

/** The last segment of an href, or the value itself (flavorRef and imageRef may be links). */
const refId = (ref: string): string => ref.replace(/\/+$/, '').split('/').at(-1) ?? ref;

/**
 * Accepts servers (Nova's compute API create): checks the request, charges quota and writes the
 * build requests, request specs and cell-less mappings in one transaction, then queues the build.
 * The database is the truth: if the queue does not answer, the reaper queues the builds later.
 */
export async function createServers(deps: CreateDeps, context: RequestContext, request: CreateServerRequest): Promise<CreateServerResult> {
  const viewer = { projectId: context.projectId, isAdmin: context.isAdmin };
  const flavor = await findFlavor(deps.api, refId(request.flavorRef), viewer).catch(asBadRequest);
  if (flavor.disabled) throw new InvalidInputError('Flavor is disabled.');
  const image = await findImage(deps.api, refId(request.imageRef), viewer).catch(() => {
    throw new InvalidInputError(`Image ${refId(request.imageRef)} could not be found.`);
  });
  checkImageFits(image, flavor);
  const [keyData, group] = await Promise.all([
    request.key_name ? keyPair(deps.api, context.userId, request.key_name) : null,
    request.groupUuid ? serverGroup(deps.api, context, request.groupUuid) : null,
    request.availability_zone ? checkZone(deps, request.availability_zone) : null,
  ]);
  const limits = await quotaLimits(deps.api, context.projectId, deps.config.quota);
  checkMetadataQuota(request.metadata ?? {}, limits['metadata_items'] ?? -1);

  const reservationId = newReservationId();
  const uuids = Array.from({ length: request.max_count }, () => randomUUID());
  const now = new Date().toISOString();
  await ensureUsageRows(deps.api, context.projectId);
  const accepted = await retryDeadlocks(() => deps.api.sequelize.transaction(async (transaction) => {
    const count = await chargeInstances(deps.api, transaction, {
      projectId: context.projectId,
      perInstance: { cores: flavor.vcpus, ram: flavor.memory_mb },
      minCount: request.min_count,
      maxCount: request.max_count,
      limits,
    });
    const builds = uuids.slice(0, count).map((uuid, index) => {
      const instance = buildInstance(context, request, flavor, uuid, index, count, reservationId, keyData, now);
      return { instance, spec: requestSpec(context, request, flavor, image, instance, count, group) };
    });
    await persistBuilds(deps.api, transaction, builds);
    if (group) await addGroupMembers(deps.api, transaction, group, builds.map((b) => b.instance.uuid));
    return builds.map((b) => b.instance.uuid);
  }));
  try {
    await deps.queue.enqueue({ reservation_id: reservationId, instance_uuids: accepted, min_count: request.min_count, request_id: context.requestId });
  } catch (err) {
    deps.log.warn({ request_id: context.requestId, reservation_id: reservationId, err: errorMessage(err) }, 'build accepted but not queued; the reaper will queue it');
  }
  return { uuids: accepted, reservationId, adminPass: request.adminPass ?? newAdminPass() };
}

function asBadRequest(err: unknown): never {
  if (err instanceof NotFoundError) throw new InvalidInputError(err.message, { cause: err });
  throw err;
}

function checkImageFits(image: Image, flavor: Flavor): void {
  if (image.min_ram > flavor.memory_mb) throw new InvalidInputError("Flavor's memory is too small for requested image.");
  if (flavor.root_gb > 0 && image.min_disk > flavor.root_gb) throw new InvalidInputError("Flavor's disk is too small for requested image.");
}

function checkMetadataQuota(metadata: Record<string, string>, limit: number): void {
  if (limit >= 0 && Object.keys(metadata).length > limit) {
    throw new QuotaExceededError(`Quota exceeded for metadata_items: Requested ${Object.keys(metadata).length}, but the limit is ${limit}`);
  }
}

async function keyPair(api: ApiDatabase, userId: string, name: string): Promise<string> {
  const rows = await select<{ public_key: string }>(api, 'SELECT public_key FROM key_pairs WHERE user_id = ? AND name = ?', [userId, name]);
  if (!rows[0]) throw new InvalidInputError('Invalid key_name provided.');
  return rows[0].public_key;
}

async function serverGroup(api: ApiDatabase, context: RequestContext, uuid: string): Promise<GroupSpec & { id: number }> {
  const rows = await select<{ id: number; uuid: string; policy: string; rules: string | null; project_id: string }>(
    api,
    'SELECT id, uuid, policy, rules, project_id FROM instance_groups WHERE uuid = ?',
    [uuid],
  );
  const row = rows[0];
  if (!row || (!context.isAdmin && row.project_id !== context.projectId)) throw new InvalidInputError(`Invalid server group ${uuid}.`);
  return { id: row.id, uuid: row.uuid, policy: row.policy, rules: row.rules ? (JSON.parse(row.rules) as Record<string, number>) : {} };
}

async function addGroupMembers(api: ApiDatabase, transaction: Parameters<typeof persistBuilds>[1], group: { id: number }, uuids: string[]): Promise<void> {
  await execute(
    { sequelize: api.sequelize, transaction },
    `INSERT INTO instance_group_member (group_id, instance_uuid) VALUES ${placeholders(uuids.length, 2)}`,
    uuids.flatMap((u) => [group.id, u]),
  );
}

async function checkZone(deps: CreateDeps, zone: string): Promise<void> {
  if (zone === deps.config.scheduler.default_availability_zone) return;
  const rows = await select(deps.api, "SELECT 1 FROM aggregate_metadata WHERE `key` = 'availability_zone' AND value = ? LIMIT 1", [zone]);
  if (rows.length === 0) throw new InvalidInputError('The requested availability zone is not available');
}

function buildInstance(
  context: RequestContext,
  request: CreateServerRequest,
  flavor: Flavor,
  uuid: string,
  index: number,
  count: number,
  reservationId: string,
  keyData: string | null,
  now: string,
): BuildInstance {
  const displayName = displayNameFor(request.name, index, count);
  return {
    uuid,
    project_id: context.projectId,
    user_id: context.userId,
    display_name: displayName,
    display_description: request.description ?? null,
    hostname: hostnameFor(displayName),
    flavor: flavorSnapshot(flavor),
    image_ref: refId(request.imageRef),
    availability_zone: request.availability_zone ?? null,
    metadata: request.metadata ?? {},
    key_name: request.key_name ?? null,
    key_data: keyData,
    user_data: request.user_data ?? null,
    config_drive: request.config_drive ? 'True' : '',
    access_ip_v4: request.accessIPv4 ?? null,
    access_ip_v6: request.accessIPv6 ?? null,
    reservation_id: reservationId,
    launch_index: index,
    tags: request.tags ?? [],
    locked: false,
    created_at: now,
  };
}

function requestSpec(
  context: RequestContext,
  request: CreateServerRequest,
  flavor: Flavor,
  image: Image,
  instance: BuildInstance,
  count: number,
  group: GroupSpec | null,
): RequestSpec {
  return {
    instance_uuid: instance.uuid,
    project_id: context.projectId,
    user_id: context.userId,
    flavor: flavorSnapshot(flavor),
    image: { id: image.uuid, min_ram: image.min_ram, min_disk: image.min_disk, properties: image.properties },
    availability_zone: request.availability_zone ?? null,
    reservation_id: instance.reservation_id,
    num_instances: count,
    min_count: request.min_count,
    group: group ? { uuid: group.uuid, policy: group.policy, rules: group.rules } : null,
    scheduler_hints: request.schedulerHints,
    ignore_hosts: [],
    request_id: context.requestId,
  };
}
