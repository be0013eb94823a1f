import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { persistBuilds, type GroupSpec, type RequestSpec } from '../builds/index.js';
import { INSTANCE_VERSION, type Instance } from '../../child-cell/instance/index.js';
import type { CellRegistry } from '../cells/index.js';
import type { ApiDatabase } from '../db/index.js';
import { admitMembers, lockGroupMembers } from '../groups/index.js';
import { findFlavor, flavorSnapshot, type Flavor } from '../flavors/index.js';
import { findImage, type Image } from '../images/index.js';
import { addUsage, ensureUsageRows, fitCount, lockUsage, quotaLimits, userInstanceLimits, userQuotaUsage, type InstanceUsage } from '../quota/index.js';
import type { RequestContext } from '../context.js';
import {
  Batcher,
  errorMessage,
  ForbiddenError,
  ifNotFound,
  InvalidInputError,
  NotFoundError,
  QuotaExceededError,
  TtlCache,
  type Config,
  type Logger,
} from '../../ops/runtime/index.js';
import {
  execute,
  placeholders,
  retryDeadlocks,
  select,
} from '../../ops/runtime-db/index.js';
import type { BuildQueue } from '../../super-conductor/queue/index.js';
import { resolveNics, resolveSecurityGroups, type Nic, type NetworkDatabase, type RequestedNetworks } from '../network/index.js';
import { canonicalIpv6, displayNameFor, hostnameFor, newAdminPass, newReservationId } from './names.js';

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
  /** OS-DCF:diskConfig AUTO. */
  autoDiskConfig?: boolean;
  adminPass?: string;
  min_count: number;
  max_count: number;
  tags?: string[];
  /** 2.90: the guest's hostname, instead of one made from the name. */
  hostname?: string;
  /** 2.74 (admins): the host and/or hypervisor the server must land on, if it passes the filters. */
  host?: string;
  hypervisor_hostname?: string;
  groupUuid?: string;
  schedulerHints: Record<string, unknown>;
  /** Its boot disk is a volume (block_device_mapping_v2 boot index 0): no root disk on the host. */
  volumeBacked?: boolean;
  networks?: RequestedNetworks;
  /** Security group names (or ids) for the server's new ports. */
  securityGroups?: string[];
}

export interface CreateServerResult {
  uuids: string[];
  reservationId: string;
  adminPass: string;
}

export interface CreateDeps {
  api: ApiDatabase;
  network: NetworkDatabase;
  /** Per-user quotas count a user's cores and RAM in the cells. */
  registry: CellRegistry;
  queue: BuildQueue;
  config: Config;
  log: Logger;
}

/** A checked request waiting for its batch's transaction. */
interface PendingCreate {
  context: RequestContext;
  request: CreateServerRequest;
  flavor: Flavor;
  image: Image;
  group: (GroupSpec & { id: number }) | null;
  keyData: string | null;
  limits: Record<string, number>;
  /** At most this many fit the user's own quota, when it has one. */
  maxByUser?: number;
  reservationId: string;
  uuids: string[];
  nics: Nic[];
  securityGroupIds: string[];
  accepted?: string[];
  error?: unknown;
}

/** The last segment of an href, or the value itself (flavorRef and imageRef may be links). */
const refId = (ref: string): string => ref.replace(/\/+$/, '').split('/').at(-1) ?? ref;

/** What stands for the image of a server booted from a volume: no requirements, no properties. */
const volumeBacked = async (): Promise<Image> => ({
  uuid: '', name: null, status: 'active', visibility: 'public', owner: null, disk_format: null, container_format: null, size: null, checksum: null,
  os_hash_value: null, min_disk: 0, min_ram: 0, protected: false, os_hidden: false, tags: [], properties: {}, created_at: new Date(0), updated_at: null,
});

/** How long flavor, image and quota-limit reads are reused (a change shows within this). */
const readCacheMs = 2000;

/**
 * Accepts servers (Nova's compute API create). Each request is checked on its own; then the
 * requests arriving together are written in one transaction: quota locked once per project,
 * build requests, request specs and cell-less mappings inserted a batch at a time, and their
 * builds queued in one round trip. The database is the truth: if the queue does not answer,
 * the reaper queues the builds later.
 */
export class ServerCreator {
  private readonly flavors = new TtlCache<Flavor>(readCacheMs);
  private readonly images = new TtlCache<Image>(readCacheMs);
  private readonly limits = new TtlCache<Record<string, number>>(readCacheMs);
  private readonly userLimits = new TtlCache<Record<string, number>>(readCacheMs);
  private readonly batcher: Batcher<PendingCreate>;

  constructor(private readonly deps: CreateDeps) {
    this.batcher = new Batcher((items) => this.persist(items), 500, (item) => item.uuids.length);
  }

  async create(context: RequestContext, request: CreateServerRequest): Promise<CreateServerResult> {
    const pending = await this.check(context, request);
    await this.batcher.submit(pending);
    if (pending.error !== undefined) throw pending.error;
    return { uuids: pending.accepted ?? [], reservationId: pending.reservationId, adminPass: request.adminPass ?? newAdminPass() };
  }

  /** Drops a project's cached limits (every project's without one), so a quota just changed here holds from the next boot. */
  forgetLimits(projectId?: string): void {
    this.limits.forget(projectId);
  }

  /** Drops a user's cached limits in a project, after its per-user quota changed. */
  forgetUserLimits(projectId: string, userId: string): void {
    this.userLimits.forget(`${projectId} ${userId}`);
  }

  private async check(context: RequestContext, request: CreateServerRequest): Promise<PendingCreate> {
    const { api, config } = this.deps;
    const viewer = { projectId: context.projectId, isAdmin: context.isAdmin };
    const flavorId = refId(request.flavorRef);
    const imageId = refId(request.imageRef);
    const [flavor, image, limits, keyData, group] = await Promise.all([
      this.flavors.get(`${flavorId} ${viewer.isAdmin ? '*' : viewer.projectId}`, () => findFlavor(api, flavorId, viewer)).catch(asBadRequest),
      // A server booted from a volume has no image (its boot disk is a volume the route checked).
      imageId === '' ? volumeBacked() : this.images
        .get(`${imageId} ${viewer.isAdmin ? '*' : viewer.projectId}`, () => findImage(api, imageId, viewer))
        // An image cached while it waited for its data may be active by now.
        .then((cached) => (cached.status === 'active' ? cached : findImage(api, imageId, viewer)))
        .catch(
          ifNotFound(() => {
            throw new InvalidInputError(`Image ${imageId} could not be found.`);
          }),
        ),
      this.limits.get(context.projectId, () => quotaLimits(api, context.projectId, config.quota)),
      request.key_name ? keyPair(api, context.userId, request.key_name) : null,
      request.groupUuid ? serverGroup(api, context, request.groupUuid) : null,
      request.availability_zone ? checkZone(this.deps, request.availability_zone) : null,
      request.host || request.hypervisor_hostname ? checkDestination(api, context, request) : null,
    ]);
    if (flavor.disabled) throw new InvalidInputError('Flavor is disabled.');
    checkImageFits(image, flavor);
    const items = Object.keys(request.metadata ?? {}).length;
    const metadataLimit = limits['metadata_items'] ?? -1;
    if (metadataLimit >= 0 && items > metadataLimit) {
      throw new QuotaExceededError(`Quota exceeded for metadata_items: Requested ${items}, but the limit is ${metadataLimit}`);
    }
    const maxByUser = await this.userFit(context, request, flavor);
    const uuids = Array.from({ length: request.max_count }, () => randomUUID());
    // Nova checks the networks (and makes nothing) before accepting; ports are made once hosts are chosen.
    const nics = await resolveNics(this.deps.network, context, request.networks, request.max_count);
    const groupNames = request.securityGroups ?? [];
    const securityGroupIds = nics.length > 0 || groupNames.length > 0 ? await resolveSecurityGroups(this.deps.network, context.projectId, groupNames) : [];
    return { context, request, flavor, image, group, keyData, limits, ...(maxByUser === undefined ? {} : { maxByUser }), reservationId: newReservationId(), uuids, nics, securityGroupIds };
  }

  /**
   * A user with quotas of its own in the project (Nova's per-user quotas) is held to them too:
   * how many fit, or Nova's "Quota exceeded". Checked before the batch, like Nova's first check.
   */
  private async userFit(context: RequestContext, request: CreateServerRequest, flavor: Flavor): Promise<number | undefined> {
    const { api, registry } = this.deps;
    const own = await this.userLimits.get(`${context.projectId} ${context.userId}`, () => userInstanceLimits(api, context.projectId, context.userId));
    if (Object.keys(own).length === 0) return undefined;
    const used = await userQuotaUsage(api, registry, context.projectId, context.userId);
    return fitCount(used, { perInstance: { cores: flavor.vcpus, ram: flavor.memory_mb }, minCount: request.min_count, maxCount: request.max_count, limits: own });
  }

  /** One transaction for a batch of checked requests; each is accepted or fails on its own. */
  private async persist(items: PendingCreate[]): Promise<void> {
    const { api } = this.deps;
    await ensureUsageRows(api, items.map((i) => i.context.projectId));
    await retryDeadlocks(() => api.sequelize.transaction((transaction) => this.write(transaction, items)));
    const accepted = items.filter((i) => i.accepted && i.accepted.length > 0);
    if (accepted.length === 0) return;
    try {
      await this.deps.queue.enqueueMany(
        accepted.map((i) => ({ reservation_id: i.reservationId, instance_uuids: i.accepted ?? [], min_count: i.request.min_count, request_id: i.context.requestId })),
      );
    } catch (err) {
      this.deps.log.warn({ reservations: accepted.map((i) => i.reservationId), err: errorMessage(err) }, 'builds accepted but not queued; the reaper will queue them');
    }
  }

  private async write(transaction: Transaction, items: PendingCreate[]): Promise<void> {
    const { api } = this.deps;
    const run = { sequelize: api.sequelize, transaction };
    const usage = await lockUsage(run, items.map((i) => i.context.projectId));
    const groups = await lockGroupMembers(run, items.flatMap((i) => (i.group ? [i.group.id] : [])));
    const deltas = new Map<string, InstanceUsage>();
    const builds: { instance: Instance; spec: RequestSpec }[] = [];
    const members: [number, string][] = [];
    for (const item of items) {
      delete item.error;
      delete item.accepted;
      const project = item.context.projectId;
      const used = usage.get(project) ?? { instances: 0, cores: 0, ram: 0 };
      let count: number;
      try {
        count = fitCount(used, {
          perInstance: { cores: item.flavor.vcpus, ram: item.flavor.memory_mb },
          minCount: item.request.min_count,
          maxCount: Math.min(item.request.max_count, item.maxByUser ?? item.request.max_count),
          limits: item.limits,
        });
        if (item.group) admitMembers(groups, item.group, count, item.limits);
      } catch (err) {
        item.error = err;
        continue;
      }
      const charge = { instances: count, cores: count * item.flavor.vcpus, ram: count * item.flavor.memory_mb };
      used.instances += charge.instances;
      used.cores += charge.cores;
      used.ram += charge.ram;
      const delta = deltas.get(project) ?? { instances: 0, cores: 0, ram: 0 };
      deltas.set(project, { instances: delta.instances + charge.instances, cores: delta.cores + charge.cores, ram: delta.ram + charge.ram });
      const now = new Date().toISOString();
      item.accepted = item.uuids.slice(0, count);
      item.accepted.forEach((uuid, index) => {
        const instance = buildInstance(item, uuid, index, count, now);
        builds.push({ instance, spec: requestSpec(item, instance, count) });
        if (item.group) members.push([item.group.id, uuid]);
      });
    }
    await addUsage(run, deltas);
    if (builds.length > 0) await persistBuilds(api, transaction, builds);
    if (members.length > 0) {
      await execute(run, `INSERT INTO instance_group_member (group_id, instance_uuid) VALUES ${placeholders(members.length, 2)}`, members.flat());
    }
  }
}

function asBadRequest(err: unknown): never {
  if (err instanceof NotFoundError) throw new InvalidInputError(err.message, { cause: err });
  throw err;
}

function checkImageFits(image: Image, flavor: Flavor): void {
  if (image.status !== 'active') throw new InvalidInputError(`Image ${image.uuid} is not active.`);
  if (image.min_ram > flavor.memory_mb) throw new InvalidInputError("Flavor's memory is too small for requested image.");
  if (flavor.root_gb > 0 && image.min_disk > flavor.root_gb) throw new InvalidInputError("Flavor's disk is too small for requested image.");
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

/** 2.74: only admins name a destination, and it must exist (Nova's ComputeHostNotFound otherwise). */
async function checkDestination(api: ApiDatabase, context: RequestContext, request: CreateServerRequest): Promise<void> {
  if (!context.isAdmin) throw new ForbiddenError("Policy doesn't allow compute:servers:create:requested_destination to be performed.");
  const where = [request.host ? 'host = ?' : '', request.hypervisor_hostname ? 'name = ?' : ''].filter(Boolean).join(' AND ');
  const values = [request.host, request.hypervisor_hostname].filter((v): v is string => v !== undefined);
  const found = await select(api, `SELECT 1 FROM resource_providers WHERE ${where} LIMIT 1`, values);
  if (found.length === 0) throw new InvalidInputError(`Compute host ${request.hypervisor_hostname ?? request.host} could not be found.`);
}

/** A zone is the default one or one an aggregate names; anything else is Nova's 400. */
export async function checkZone(deps: { api: ApiDatabase; config: Config }, zone: string): Promise<void> {
  if (zone === deps.config.scheduler.default_availability_zone) return;
  const rows = await select(deps.api, "SELECT 1 FROM aggregate_metadata WHERE `key` = 'availability_zone' AND value = ? LIMIT 1", [zone]);
  if (rows.length === 0) throw new InvalidInputError('The requested availability zone is not available');
}

function buildInstance(item: PendingCreate, uuid: string, index: number, count: number, now: string): Instance {
  const { context, request, flavor } = item;
  const displayName = displayNameFor(request.name, index, count);
  return {
    version: INSTANCE_VERSION,
    uuid,
    project_id: context.projectId,
    user_id: context.userId,
    display_name: displayName,
    display_description: request.description ?? null,
    hostname: hostnameFor(request.hostname ? displayNameFor(request.hostname, index, count) : displayName),
    flavor: flavorSnapshot(flavor),
    image_ref: refId(request.imageRef),
    availability_zone: request.availability_zone ?? null,
    metadata: request.metadata ?? {},
    key_name: request.key_name ?? null,
    key_data: item.keyData,
    user_data: request.user_data ?? null,
    config_drive: request.config_drive ? 'True' : '',
    access_ip_v4: request.accessIPv4 ?? null,
    access_ip_v6: request.accessIPv6 ? canonicalIpv6(request.accessIPv6) : null,
    auto_disk_config: request.autoDiskConfig ?? false,
    reservation_id: item.reservationId,
    launch_index: index,
    tags: request.tags ?? [],
    locked: false,
    created_at: now,
  };
}

function requestSpec(item: PendingCreate, instance: Instance, count: number): RequestSpec {
  const { context, request, flavor, image, group } = item;
  return {
    instance_uuid: instance.uuid,
    project_id: context.projectId,
    user_id: context.userId,
    flavor: flavorSnapshot(flavor),
    image: { id: image.uuid, min_ram: image.min_ram, min_disk: image.min_disk, properties: image.properties },
    ...(request.volumeBacked ? { is_bfv: true } : {}),
    availability_zone: request.availability_zone ?? null,
    reservation_id: instance.reservation_id,
    num_instances: count,
    min_count: request.min_count,
    group: group ? { uuid: group.uuid, policy: group.policy, rules: group.rules } : null,
    scheduler_hints: request.schedulerHints,
    ignore_hosts: [],
    request_id: context.requestId,
    ...(request.host ? { requested_host: request.host } : {}),
    ...(request.hypervisor_hostname ? { requested_node: request.hypervisor_hostname } : {}),
    ...(item.nics.length > 0 ? { requested_networks: item.nics, security_group_ids: item.securityGroupIds } : {}),
  };
}
