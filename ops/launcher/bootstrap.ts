import { CellRegistry, createCell, discoverHosts, mapCell0, updateCell } from '../../api-cell/cells/index.js';
import { openApiDatabase, syncApiDatabase } from '../../api-cell/db/index.js';
import { ensureDefaultFlavors } from '../../api-cell/flavors/index.js';
import { authenticate, bootstrapIdentity } from '../../api-cell/identity/index.js';
import { ensureDefaultImage } from '../../api-cell/images/index.js';
import { DEFAULT_NETWORK, ensureDefaultNetwork, openNetworkDatabase, syncNetworkDatabase } from '../../api-cell/network/index.js';
import { syncCellDatabase } from '../../child-cell/db/index.js';
import { syncVolumeDatabase } from '../../api-cell/volume/index.js';
import { NotFoundError } from '../runtime/index.js';
import type { Layout } from './layout.js';
import { registerGuestImage } from './qemu.js';

export type Say = (line: string) => void;

/** Creates and migrates the databases and maps cell0 and every child cell; safe to run again. */
export async function bootstrapDatabases(layout: Layout, say: Say, root = ''): Promise<Map<string, string>> {
  const api = await syncApiDatabase(layout.apiDatabaseUrl);
  say(`API database: ${describe(api)}`);
  say(`network database: ${describe(await syncNetworkDatabase(layout.networkDatabaseUrl))}`);
  say(`volume database: ${describe(await syncVolumeDatabase(layout.volumeDatabaseUrl))}`);
  const db = openApiDatabase(layout.apiDatabaseUrl, { poolMax: 2 });
  const registry = new CellRegistry(db, { busName: 'launcher' });
  try {
    const flavors = await ensureDefaultFlavors(db);
    if (flavors.length > 0) say(`registered flavors ${flavors.join(', ')}`);
    const image = await ensureDefaultImage(db);
    if (image) say(`registered image ${image.name ?? ''} (${image.uuid})`);
    if (layout.options.qemuHosts) await registerGuestImage(db, root, say);
    const password = layout.options.adminPassword;
    // clouds.yaml must work: an admin left by another deployment on this database server (another
    // checkout) gets this deployment's password, as a second keystone-manage bootstrap does.
    const current = await authenticate(db, { name: 'admin' }, password).then(() => true, () => false);
    const admin = await bootstrapIdentity(db, { password, reset: !current });
    if (admin.created) say(`created the admin user; its password is ${password} (also in ${layout.cloudsFile})`);
    else if (!current) say(`the admin user existed with another password; set it to this deployment's: ${password} (also in ${layout.cloudsFile})`);
    const network = openNetworkDatabase(layout.networkDatabaseUrl, { poolMax: 1 });
    try {
      if (await ensureDefaultNetwork(network, admin.project.id)) say(`made the shared network "shared" (${DEFAULT_NETWORK.cidr}): servers booted without --nic get an address on it`);
    } finally {
      await network.close();
    }
    await mapCell0(db, layout.cell0DatabaseUrl);
    say(`cell0 database: ${describe(await syncCellDatabase(layout.cell0DatabaseUrl))}`);
    const uuids = new Map<string, string>();
    for (const cell of layout.cells) {
      const existing = await registry.find(cell.name).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      if (!existing) {
        uuids.set(cell.name, (await createCell(db, cell)).cell.uuid);
      } else {
        if (existing.databaseUrl !== cell.databaseUrl || existing.transportUrl !== cell.transportUrl) {
          await updateCell(db, registry, existing.uuid, cell);
        }
        uuids.set(cell.name, existing.uuid);
      }
      say(`${cell.name} database: ${describe(await syncCellDatabase(cell.databaseUrl))}`);
    }
    return uuids;
  } finally {
    await registry.close();
    await db.close();
  }
}

function describe(result: { created: boolean; applied: string[] }): string {
  const applied = result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'up to date';
  return result.created ? `created, ${applied}` : applied;
}

/** Maps the hosts the compute pools registered (cellctl host discover). */
export async function discoverPoolHosts(layout: Layout, say: Say): Promise<void> {
  const db = openApiDatabase(layout.apiDatabaseUrl, { poolMax: 2 });
  const registry = new CellRegistry(db, { busName: 'launcher' });
  try {
    const result = await discoverHosts(db, registry);
    if (result.mapped.length > 0) say(`mapped ${result.mapped.length} compute hosts`);
  } finally {
    await registry.close();
    await db.close();
  }
}
