import { randomInt } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MultiBar, Presets } from 'cli-progress';
import { openApiDatabase } from '../../api-cell/db/index.js';
import { openCellDatabase } from '../../child-cell/db/index.js';
import { machineDescription } from '../bench/machine.js';
import { down, resolveOptions, up } from '../launcher/deployment.js';
import { defaultOptions, type DeploymentOptions, type Layout } from '../launcher/layout.js';
import { ComputeApi, firstImage, liftQuota, passwordToken, RequestCounter } from '../loadtest/client.js';
import { hostsUp, openCells } from '../loadtest/deployment.js';
import { ServerDriver } from '../loadtest/drive.js';
import { scenarioConfig } from '../loadtest/scenario.js';
import { errorMessage } from '../runtime/index.js';
import { checkInvariants, type CheckDatabases, type ClientView, type InvariantReport } from './checks.js';
import { deleteEverything, openConsoles } from './cleanup.js';
import { verdict, type ChaosResult } from './report.js';
import { loadScenario, type ChaosScenario } from './scenario.js';
import { planKills, runKills, seededRandom } from './schedule.js';
import { ownMariaDb, ownRedis } from './services.js';
import type { ChaosParts } from './targets.js';
import { TimelineSampler } from './timeline.js';

const natsServer = '/usr/sbin/nats-server';

/** Steps that undo what a run started, run last-added first, each whatever the others did. */
export class Teardown {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) await this.steps.pop()?.().catch(() => undefined);
  }
}

export interface ChaosRunOptions {
  root: string;
  progress: boolean;
  say: (line: string) => void;
}

/** Runs a chaos scenario end to end; `teardown` holds what stops everything it started (the caller runs it). */
export async function runChaos(s: ChaosScenario, o: ChaosRunOptions, teardown: Teardown): Promise<ChaosResult> {
  const seed = s.seed || randomInt(1, 2 ** 31);
  const random = seededRandom(seed);
  const stateDir = resolve(o.root, s.deployment.state_dir);
  await clearStateDir(o.root, stateDir);
  const services = resolve(stateDir, 'services');
  const mariadb = await ownMariaDb(resolve(services, 'mariadb'));
  const redis = await ownRedis(resolve(services, 'redis'));
  teardown.add(() => mariadb.stop());
  teardown.add(() => redis.stop());
  await mariadb.start();
  await redis.start();
  o.say(`seed ${seed}; MariaDB on port ${mariadb.port}, Redis on port ${redis.port} (the run's own)`);
  const options = deploymentOptions(o.root, s, stateDir, mariadb.port, redis.port);
  teardown.add(() => down(options));
  o.say(`bringing up ${s.deployment.cells} cells x ${s.deployment.hosts_per_cell} hosts`);
  const { layout } = await up(options, o.root, natsServer, (line) => o.say(`  ${line}`));
  await waitForHosts(layout, s);

  const { token, projectId } = await passwordToken(layout.apiUrl, 'admin', options.adminPassword, 'admin');
  const started = Date.now();
  const counter = new RequestCounter(started);
  const api = new ComputeApi(layout.apiUrl, token, counter);
  await liftQuota(api, projectId);
  const image = await firstImage(api, layout.apiUrl, token);
  const flavor = await flavorOf(api, s.boots.flavor);

  const parts: ChaosParts = { root: o.root, natsServer, options, mariadb, redis, random, say: o.say };
  const plan = planKills(s.kills, s.jitter_s, random);
  const lastPlanned = Math.max(s.duration, ...plan.map((k) => k.time + k.restart_after));
  const driver = new ServerDriver(api, loadScenario(s, lastPlanned - s.duration + s.settle_deadline_s + 30), image, started);
  const sampler = new TimelineSampler(started, () => driver.servers());
  const bars = o.progress ? new MultiBar({ hideCursor: true, clearOnComplete: false, format: '  {what} [{bar}] {value}/{total}' }, Presets.shades_classic) : undefined;
  const bar = bars?.create(s.boots.count, 0, { what: 'settled boots' });
  sampler.start();
  o.say(`load: ${s.boots.count} boots, ${plan.length} kills`);
  const running = driver.run(() => bar?.update(driver.settledCount));
  const kills = await runKills(parts, plan, started);
  const loadEnd = started + s.duration * 1000;
  if (Date.now() < loadEnd) await delay(loadEnd - Date.now());
  const lastRestartAt = Math.max(0, ...kills.map((k) => k.backAt ?? 0));
  // Settling counts from the last restart, or from the end of the load when that comes later.
  const settleFrom = Math.max(lastRestartAt, s.duration);

  const dbs = openCheckDatabases(layout);
  teardown.add(() => closeCheckDatabases(dbs));
  const check = (deadline: number): ReturnType<typeof checkUntilHeld> =>
    checkUntilHeld(dbs, api, () => clientView(driver, projectId, flavor), deadline, o.say);
  let checked = await check(started + (settleFrom + s.settle_deadline_s) * 1000);
  driver.stop();
  const outcome = await running;
  bars?.stop();
  // A POST still in flight when the checks began may have been accepted since: check that one too.
  if (outcome.boots.accepted !== checked.view?.accepted.length) checked = await check(Date.now());
  const { invariants, settledAt } = checked;
  const timeline = sampler.stop();
  if (!invariants) throw new Error('the invariants could not be checked at all (the API or a database did not answer)');
  o.say(settledAt ? 'invariants hold; deleting every server' : 'invariants violated at the deadline; deleting every server');
  const consoles = await openConsoles(api, driver.servers(), s.consoles);
  const cleanup = await deleteEverything(api, dbs, projectId, s.cleanup_deadline_s);
  const count = (pred: (status: number) => boolean): number =>
    Object.entries(counter.statuses).reduce((sum, [key, n]) => (pred(Number(key.split(' ')[1])) ? sum + n : sum), 0);
  const base = {
    name: s.name,
    machine: machineDescription(),
    date: new Date(started).toISOString(),
    seed,
    scenario: { ...s, seed },
    seconds: (Date.now() - started) / 1000,
    boots: { requested: outcome.boots.requested, accepted: outcome.boots.accepted, rejected: outcome.boots.rejected },
    churn: outcome.churn.operations,
    kills,
    lastRestartAt,
    settleFrom,
    settleSeconds: settledAt === undefined ? null : Math.max(0, (settledAt - started) / 1000 - settleFrom),
    invariants,
    consoles,
    cleanup,
    api: {
      statuses: counter.statuses,
      serverErrors: count((st) => st >= 500 && st !== 503),
      unavailable: count((st) => st === 503),
      noAnswer: count((st) => st === 0),
      failures: counter.failures,
      failuresPerSecond: counter.failuresPerSecond,
    },
    timeline,
  };
  const failures = verdict(base);
  return { ...base, failures, pass: failures.length === 0 };
}

/** What the client did to servers so far, as the checks compare against. */
function clientView(driver: ServerDriver, projectId: string, flavor: { vcpus: number; ram: number }): ClientView {
  const servers = driver.servers();
  const deleted = new Set([...servers].filter(([, status]) => status === 'DELETED').map(([id]) => id));
  return { projectId, accepted: [...servers.keys()], deleted, flavor };
}

/** Checks the invariants every 2 s until they all hold (settledAt: when) or the deadline passes. */
async function checkUntilHeld(
  dbs: CheckDatabases,
  api: ComputeApi,
  view: () => ClientView,
  deadline: number,
  say: (line: string) => void,
): Promise<{ invariants: InvariantReport | undefined; settledAt?: number; view?: ClientView }> {
  let invariants: InvariantReport | undefined;
  let seen: ClientView | undefined;
  for (;;) {
    seen = view();
    invariants = await checkInvariants(dbs, api, seen).catch((err: unknown) => {
      say(`  checks could not run yet: ${errorMessage(err).split('\n')[0] ?? ''}`);
      return invariants;
    });
    if (invariants && invariants.violations.length === 0) return { invariants, settledAt: Date.now(), view: seen };
    if (Date.now() > deadline) return { invariants, view: seen };
    await delay(2000);
  }
}

/** A run left behind by a crash or Ctrl-C: its processes stopped, its files (MariaDB data dir too) gone. */
async function clearStateDir(root: string, stateDir: string): Promise<void> {
  if (existsSync(resolve(stateDir, 'deployment.json'))) await down(resolveOptions(defaultOptions(root), { stateDir })).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
}

function deploymentOptions(root: string, s: ChaosScenario, stateDir: string, dbPort: number, redisPort: number): DeploymentOptions {
  const d = s.deployment;
  const config = scenarioConfig(loadScenario(s, 0));
  return resolveOptions(defaultOptions(root), {
    stateDir,
    cells: d.cells,
    dbServer: `mysql://root@127.0.0.1:${dbPort}`,
    redisUrl: `redis://127.0.0.1:${redisPort}/0`,
    dbPrefix: d.db_prefix,
    apiPort: d.api_port,
    natsPort: d.nats_port,
    metricsPort: d.metrics_port,
    hostsPerCell: d.hosts_per_cell,
    hostsPerPool: d.hosts_per_pool,
    superConductors: d.super_conductors,
    apiWorkers: d.api_workers,
    config,
  });
}

async function waitForHosts(layout: Layout, s: ChaosScenario): Promise<void> {
  const cells = openCells(layout);
  try {
    const expected = s.deployment.cells * s.deployment.hosts_per_cell;
    const window = Math.max(5, (3 * s.timing.report_interval) / s.timing.compression);
    const deadline = Date.now() + 120_000;
    while ((await hostsUp(cells, window)) < expected) {
      if (Date.now() > deadline) throw new Error(`not all ${expected} hosts heartbeat after 2 minutes`);
      await delay(500);
    }
  } finally {
    await Promise.all(cells.map((c) => c.close()));
  }
}

async function flavorOf(api: ComputeApi, ref: string): Promise<{ vcpus: number; ram: number }> {
  const res = await api.call<{ flavor?: { vcpus: number; ram: number } }>('GET', `/flavors/${ref}`);
  if (res.status !== 200 || !res.body?.flavor) throw new Error(`flavor ${ref} is not there (${res.status})`);
  return { vcpus: res.body.flavor.vcpus, ram: res.body.flavor.ram };
}

function openCheckDatabases(layout: Layout): CheckDatabases {
  return {
    api: openApiDatabase(layout.apiDatabaseUrl, { poolMax: 2 }),
    cells: [
      { name: 'cell0', db: openCellDatabase(layout.cell0DatabaseUrl, { poolMax: 1 }) },
      ...layout.cells.map((c) => ({ name: c.name, db: openCellDatabase(c.databaseUrl, { poolMax: 1 }) })),
    ],
  };
}

async function closeCheckDatabases(dbs: CheckDatabases): Promise<void> {
  await Promise.all([dbs.api.close(), ...dbs.cells.map((c) => c.db.close())]);
}
