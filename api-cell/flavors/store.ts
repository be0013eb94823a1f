import type { FlavorSnapshot } from '../../child-cell/instance/index.js';
import { ConflictError, NotFoundError } from '../../ops/runtime/index.js';
import { execute, inList, placeholders, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';

export interface Flavor {
  id: number;
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  disabled: boolean;
  is_public: boolean;
  description: string | null;
  extra_specs: Record<string, string>;
}

interface FlavorRow extends Omit<Flavor, 'extra_specs' | 'disabled' | 'is_public'> {
  disabled: number;
  is_public: number;
}

const columns = 'id, flavorid, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap, rxtx_factor, disabled, is_public, description';

/** Who is asking: private flavors are visible to admins and the projects on their access list. */
export interface FlavorViewer {
  projectId: string;
  isAdmin: boolean;
}

async function withExtraSpecs(api: ApiDatabase, rows: FlavorRow[]): Promise<Flavor[]> {
  if (rows.length === 0) return [];
  const specs = await select<{ flavor_id: number; key: string; value: string }>(
    api,
    `SELECT flavor_id, \`key\`, value FROM flavor_extra_specs WHERE flavor_id IN (${inList(rows.length)})`,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    ...row,
    disabled: Boolean(row.disabled),
    is_public: Boolean(row.is_public),
    extra_specs: Object.fromEntries(specs.filter((s) => s.flavor_id === row.id).map((s) => [s.key, s.value])),
  }));
}

/** SQL that keeps the flavors a viewer may see: public ones and, for a project, those it was given. */
export function visibleTo(viewer: FlavorViewer | undefined, alias = 'flavors'): { sql: string; params: unknown[] } {
  if (!viewer || viewer.isAdmin) return { sql: '1 = 1', params: [] };
  return {
    sql: `(${alias}.is_public = 1 OR EXISTS (SELECT 1 FROM flavor_projects fp WHERE fp.flavor_id = ${alias}.id AND fp.project_id = ?))`,
    params: [viewer.projectId],
  };
}

/** Flavor rows with their extra specs, one query for the specs of all of them. */
export async function loadFlavors(api: ApiDatabase, where: string, params: unknown[], tail = ''): Promise<Flavor[]> {
  const rows = await select<FlavorRow>(api, `SELECT ${columns.split(', ').map((c) => `flavors.${c}`).join(', ')} FROM flavors ${where} ${tail}`, params);
  return withExtraSpecs(api, rows);
}

/** A flavor by its flavorid, as the caller may see it (no viewer: any flavor). */
export async function findFlavor(api: ApiDatabase, flavorid: string, viewer?: FlavorViewer): Promise<Flavor> {
  const visible = visibleTo(viewer);
  const [flavor] = await loadFlavors(api, `WHERE flavors.flavorid = ? AND ${visible.sql}`, [flavorid, ...visible.params]);
  if (!flavor) throw new NotFoundError(`Flavor ${flavorid} could not be found.`);
  return flavor;
}

export interface FlavorSpec {
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb?: number;
  swap?: number;
  rxtx_factor?: number;
  is_public?: boolean;
  description?: string | null;
  extra_specs?: Record<string, string>;
}

/** Creates a flavor; a clash on flavorid or name is a ConflictError in Nova's words. */
export async function createFlavor(api: ApiDatabase, spec: FlavorSpec): Promise<Flavor> {
  const clash = await select<{ name: string; flavorid: string }>(
    api,
    'SELECT name, flavorid FROM flavors WHERE name = ? OR flavorid = ?',
    [spec.name, spec.flavorid],
  );
  if (clash.some((c) => c.flavorid === spec.flavorid)) throw new ConflictError(`Flavor with ID ${spec.flavorid} already exists.`);
  if (clash.length > 0) throw new ConflictError(`Flavor with name ${spec.name} already exists.`);
  try {
    await api.sequelize.transaction(async (transaction) => {
      const run = { sequelize: api.sequelize, transaction };
      await execute(
        run,
        `INSERT INTO flavors (flavorid, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap, rxtx_factor, is_public, description)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [spec.flavorid, spec.name, spec.vcpus, spec.memory_mb, spec.root_gb, spec.ephemeral_gb ?? 0, spec.swap ?? 0,
          spec.rxtx_factor ?? 1, spec.is_public ?? true, spec.description ?? null],
      );
      const specs = Object.entries(spec.extra_specs ?? {});
      if (specs.length > 0) {
        await execute(
          run,
          `INSERT INTO flavor_extra_specs (flavor_id, \`key\`, value)
           SELECT id, s.k, s.v FROM flavors JOIN (${specs.map(() => 'SELECT ? AS k, ? AS v').join(' UNION ALL ')}) s
           WHERE flavors.flavorid = ?`,
          [...specs.flat(), spec.flavorid],
        );
      }
    });
  } catch (err) {
    // Two creates racing past the check above: the unique keys decide, as in Nova.
    if (isDuplicateKey(err)) throw new ConflictError(`Flavor with name ${spec.name} or ID ${spec.flavorid} already exists.`, { cause: err });
    throw err;
  }
  return findFlavor(api, spec.flavorid);
}

/** A MariaDB duplicate-key error (ER_DUP_ENTRY), however Sequelize wrapped it. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { parent?: { errno?: number }; original?: { errno?: number }; errno?: number } | undefined;
  return (e?.parent?.errno ?? e?.original?.errno ?? e?.errno) === 1062;
}

/** Nova's default flavors, which bring-up registers so a first boot needs no setup. */
export const defaultFlavors: FlavorSpec[] = [
  { flavorid: '1', name: 'm1.tiny', vcpus: 1, memory_mb: 512, root_gb: 1 },
  { flavorid: '2', name: 'm1.small', vcpus: 1, memory_mb: 2048, root_gb: 20 },
  { flavorid: '3', name: 'm1.medium', vcpus: 2, memory_mb: 4096, root_gb: 40 },
  { flavorid: '4', name: 'm1.large', vcpus: 4, memory_mb: 8192, root_gb: 80 },
  { flavorid: '5', name: 'm1.xlarge', vcpus: 8, memory_mb: 16384, root_gb: 160 },
];

/** Registers the default flavors that are missing; returns the names added. */
export async function ensureDefaultFlavors(api: ApiDatabase): Promise<string[]> {
  const existing = await select<{ flavorid: string; name: string }>(api, 'SELECT flavorid, name FROM flavors');
  const missing = defaultFlavors.filter((f) => !existing.some((e) => e.flavorid === f.flavorid || e.name === f.name));
  if (missing.length > 0) {
    await execute(
      api,
      `INSERT IGNORE INTO flavors (flavorid, name, vcpus, memory_mb, root_gb) VALUES ${placeholders(missing.length, 5)}`,
      missing.flatMap((f) => [f.flavorid, f.name, f.vcpus, f.memory_mb, f.root_gb]),
    );
  }
  return missing.map((f) => f.name);
}

/** The copy of a flavor an instance keeps. */
export function flavorSnapshot(flavor: Flavor): FlavorSnapshot {
  return {
    id: flavor.id,
    flavorid: flavor.flavorid,
    name: flavor.name,
    vcpus: flavor.vcpus,
    memory_mb: flavor.memory_mb,
    root_gb: flavor.root_gb,
    ephemeral_gb: flavor.ephemeral_gb,
    swap: flavor.swap,
    extra_specs: flavor.extra_specs,
  };
}
