import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bootstrapDatabases, discoverPoolHosts, type Say } from '../launcher/bootstrap.js';
import { resolveOptions, savedOptions, startAll, stopAll, writeConfig, writeCredentials, type UpResult } from '../launcher/deployment.js';
import { savedLayout, type DeploymentOptions } from '../launcher/layout.js';
import { isOurs, readPid, type ProcessState } from '../launcher/processes.js';
import { ensureCa, issueCertificate } from './ca.js';
import { bootstrapMember, prepareHaproxy, prepareMariadb, prepareNats, prepareRedis } from './engines.js';
import { createMachines, removeMachines } from './network.js';
import { inventoryOptions, planInventory, type InventoryPlan, type InventoryState, type Placed } from './plan.js';
import { readInventory, type Inventory } from './schema.js';

const stateFile = (stateDir: string): string => resolve(stateDir, 'inventory.json');

export function readState(stateDir: string): InventoryState | undefined {
  const file = stateFile(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as InventoryState) : undefined;
}

function saveState(stateDir: string, state: InventoryState): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(stateFile(stateDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The inventory's options and its saved state (a fresh database password on the first `up`). */
export function loadInventory(file: string, defaults: DeploymentOptions, given: Partial<DeploymentOptions>): { inv: Inventory; options: DeploymentOptions; state: InventoryState } {
  const inv = readInventory(file);
  const options = inventoryOptions(inv, resolveOptions(defaults, given), resolve(file));
  const state = readState(options.stateDir) ?? { database: { user: 'cellstack', password: randomBytes(18).toString('base64url') } };
  return { inv, options, state };
}

/** The deployment CA's certificate (made now if missing) when the inventory asks for TLS. */
export function inventoryCa(file: string, defaults: DeploymentOptions, given: Partial<DeploymentOptions>): string | undefined {
  const { inv, options } = loadInventory(file, defaults, given);
  if (!inv.tls) return undefined;
  mkdirSync(options.stateDir, { recursive: true });
  return ensureCa(options.stateDir, inv.name).certFile;
}

/** Are the namespaces the state names all there (they vanish when the box restarts)? */
function machinesExist(state: InventoryState): boolean {
  if (!state.network) return false;
  return state.network.machines.every((m) => existsSync(`/run/netns/${m.namespace}`));
}

/** Brings up what an inventory describes: its machines as namespaces, the engines, then the cells and the API cell. */
export async function upInventory(file: string, defaults: DeploymentOptions, given: Partial<DeploymentOptions>, root: string, natsServer: string, say: Say): Promise<UpResult & { plan: InventoryPlan }> {
  const { inv, options, state } = loadInventory(file, defaults, given);
  if (inv.network.kind === 'hosts') throw new Error(`${file} describes real machines (network.kind hosts): run \`deploy plan --inventory ${file}\` and start each machine's part on it`);
  mkdirSync(options.stateDir, { recursive: true });
  if (!machinesExist(state)) {
    if (state.network) await removeMachines(state.network);
    const names = Object.keys(inv.machines);
    const wanted = inv.network.subnet?.replace(/\.0\/24$/, '');
    state.network = wanted || !state.lastSubnet
      ? await createMachines(names, wanted)
      : await createMachines(names, state.lastSubnet).catch(() => createMachines(names));
    say(`made ${state.network.machines.length} machines on bridge ${state.network.bridge} (${state.network.subnet}.0/24): ${state.network.machines.map((m) => `${m.name} ${m.address}`).join(', ')}`);
  }
  const plan = await writeFiles(inv, options, state, root, natsServer, { createData: true, say });
  const { layout } = plan;
  const result: UpResult & { plan: InventoryPlan } = { layout, plan, started: [], alreadyRunning: [], restarted: [] };
  bootstrapGalera(plan, { stateDir: options.stateDir, runDir: layout.runDir });
  const start = (placed: Placed[]): Promise<void> => startAll(placed.map((p) => p.spec), layout, result, (line) => say(`${line} on ${machineOf(placed, line)}`));
  await start(plan.engines);
  const uuids = await bootstrapDatabases(layout, say);
  writeCredentials(layout);
  await start(plan.cellProcesses(uuids));
  await discoverPoolHosts(layout, say);
  await start(plan.apiProcesses);
  return result;
}

/**
 * Saves the state and options and writes every file the deployment's processes read: its config,
 * the engines' option and init files (and, with createData, the databases' data directories).
 */
export async function writeFiles(inv: Inventory, options: DeploymentOptions, state: InventoryState, root: string, natsServer: string, how: { createData: boolean; say: Say }): Promise<InventoryPlan> {
  saveState(options.stateDir, state);
  writeFileSync(savedOptions(options.stateDir), `${JSON.stringify(options, null, 2)}\n`, { mode: 0o600 });
  const plan = planInventory(inv, options, state, root, natsServer);
  const { layout } = plan;
  mkdirSync(layout.runDir, { recursive: true });
  writeConfig(layout);
  const { options: _options, ...saved } = layout;
  writeFileSync(savedLayout(options.stateDir), `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  const dirs = { stateDir: options.stateDir, runDir: layout.runDir };
  for (const db of plan.databases) if (await prepareMariadb(db.name, state.database, dirs, db.settings, how.createData)) how.say(`made the data directory of ${db.name}`);
  // A Redis already running keeps its config: a Sentinel has rewritten its own since (a failover).
  for (const r of plan.redis) if (!runs(layout.runDir, r.name, options.stateDir)) prepareRedis(r.name, r.endpoint, dirs, r);
  const ca = inv.tls ? ensureCa(options.stateDir, inv.name) : undefined;
  for (const member of plan.nats) {
    const certificate = ca ? issueCertificate(ca, member.name, [member.self.address]) : undefined;
    prepareNats(member, dirs, ca && certificate ? { certificate, caFile: ca.certFile } : undefined);
  }
  if (plan.balancer) {
    const { name, endpoint, backends } = plan.balancer;
    prepareHaproxy(name, endpoint, backends, dirs, ca ? issueCertificate(ca, name, [endpoint.address]) : undefined);
  }
  return plan;
}

/** Creates the databases and maps the cells of an inventory whose engines run (real machines); keeps the cells' uuids for `deploy plan`. */
export async function bootstrapInventory(file: string, defaults: DeploymentOptions, given: Partial<DeploymentOptions>, root: string, natsServer: string, say: Say): Promise<InventoryPlan> {
  const { inv, options, state } = loadInventory(file, defaults, given);
  const plan = await writeFiles(inv, options, state, root, natsServer, { createData: false, say });
  const uuids = await bootstrapDatabases(plan.layout, say);
  writeCredentials(plan.layout);
  saveState(options.stateDir, { ...state, cells: Object.fromEntries(uuids) });
  return plan;
}

/** For each Galera cluster none of whose members runs, the member that starts it anew gets --wsrep-new-cluster. */
export function bootstrapGalera(plan: InventoryPlan, dirs: { stateDir: string; runDir: string }): void {
  const clusters = new Map<string, string[]>();
  for (const db of plan.databases) if (db.galera) clusters.set(db.galera.cluster, [...(clusters.get(db.galera.cluster) ?? []), db.name]);
  for (const [cluster, names] of clusters) {
    if (names.some((name) => runs(dirs.runDir, name, dirs.stateDir))) continue;
    const first = bootstrapMember(names, dirs);
    if (!first) throw new Error(`no member of the Galera cluster ${cluster} is marked safe to bootstrap (it did not stop cleanly): see "Galera after a crash" in docs/multi-machine.md`);
    // It starts first of its cluster: the others join it.
    const at = plan.engines.findIndex((e) => e.spec.name === first);
    const [engine] = at >= 0 ? plan.engines.splice(at, 1) : [];
    if (!engine) continue;
    engine.spec.args.push('--wsrep-new-cluster');
    plan.engines.splice(plan.engines.findIndex((e) => names.includes(e.spec.name)), 0, engine);
  }
}

function runs(runDir: string, name: string, marker: string): boolean {
  const pid = readPid(runDir, name);
  return pid !== undefined && isOurs(pid, marker);
}

/** The machine of the process a start line names ("started cell1-nats-m1 (pid 42)"). */
function machineOf(placed: Placed[], line: string): string {
  return placed.find((p) => line.includes(` ${p.spec.name} `))?.machine ?? '?';
}

/** Stops every process of an inventory deployment, then removes its machines (namespaces, veths, bridge). */
export async function downInventory(options: DeploymentOptions): Promise<{ stopped: ProcessState[]; removed: string[] }> {
  const runDir = resolve(options.stateDir, 'run');
  const stopped = await stopAll(runDir, options.stateDir);
  const state = readState(options.stateDir);
  const removed: string[] = [];
  if (state?.network) {
    await removeMachines(state.network);
    removed.push(...state.network.machines.map((m) => m.namespace), state.network.bridge);
    saveState(options.stateDir, { database: state.database, lastSubnet: state.network.subnet });
  }
  return { stopped, removed };
}
