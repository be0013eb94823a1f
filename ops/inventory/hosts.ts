import type { Say } from '../launcher/bootstrap.js';
import type { DeploymentOptions } from '../launcher/layout.js';
import type { ProcessSpec } from '../launcher/processes.js';
import { bootstrapGalera, loadInventory, writeFiles } from './deploy.js';
import { installDatabase } from './engines.js';
import type { InventoryPlan, Placed } from './plan.js';

/** A word as the shell reads it back unchanged. */
const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

function commandLine(spec: ProcessSpec): string {
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
  return [...(env.length > 0 ? ['env', ...env] : []), spec.command, ...spec.args].map((w, i) => (i < env.length + 1 && env.length > 0 ? w : quote(w))).join(' ');
}

function byMachine(placed: Placed[], plan: InventoryPlan): string[] {
  const lines: string[] = [];
  for (const machine of plan.machines) {
    const here = placed.filter((p) => p.machine === machine.name);
    if (here.length === 0) continue;
    lines.push(`# on ${machine.name} (${machine.address})`);
    for (const p of here) lines.push(`${commandLine(p.spec)} >>${quote(`${plan.layout.logDir}/${p.spec.name}.log`)} 2>&1 &`);
  }
  return lines;
}

/**
 * What to start on each real machine, in order, as a shell script an operator runs piece by
 * piece over SSH or turns into their own tooling's units. Cells' processes need the cells'
 * uuids: they are listed once `deploy bootstrap` mapped the cells.
 */
export function renderPlan(plan: InventoryPlan, file: string, uuids: Map<string, string>): string {
  const { layout } = plan;
  const state = layout.options.stateDir;
  const dirs = { stateDir: state, runDir: layout.runDir };
  const lines = [
    '#!/bin/sh',
    `# cellstack: what runs where, for the inventory ${file}.`,
    `# Every machine needs this repository, built (npm ci && npx tsc -p .), and the state directory ${state}`,
    '# (written by `deploy plan`: configs, option files, secrets; owner-only) at the same paths.',
    '',
    '## 1. once per database server, on its machine: its empty data directory',
    ...plan.databases.map((d) => `# on ${d.machine}\n${installDatabase(d.name, dirs).map(quote).join(' ')}`),
    '',
    '## 2. the engines (MariaDB/Galera, Redis and Sentinels, NATS), in this order',
    "# (a Galera cluster's first member starts with --wsrep-new-cluster the first time only; later, the one marked",
    '#  safe_to_bootstrap in its grastate.dat does, before the others: docs/multi-machine.md)',
    ...byMachine(plan.engines, plan),
    '',
    '## 3. once, from any machine that reaches the engines: databases, cell mappings, the admin user',
    `ops/bin/deploy bootstrap --inventory ${quote(file)} --state-dir ${quote(state)}`,
    '',
    '## 4. the cells: conductors and compute pools',
    ...(uuids.size > 0 ? byMachine(plan.cellProcesses(uuids), plan) : ['# (run `deploy bootstrap`, then `deploy plan` again: these lines need the cells\' uuids)']),
    '',
    '## 5. the API cell: super-conductors, API processes, the load balancer',
    ...byMachine(plan.apiProcesses, plan),
    '',
  ];
  return lines.join('\n');
}

/** Writes the deployment's files into the state dir and returns the plan for real machines. */
export async function planHosts(file: string, defaults: DeploymentOptions, given: Partial<DeploymentOptions>, root: string, natsServer: string, say: Say): Promise<string> {
  const { inv, options, state } = loadInventory(file, defaults, given);
  const plan = await writeFiles(inv, options, state, root, natsServer, { createData: false, say });
  bootstrapGalera(plan, { stateDir: options.stateDir, runDir: plan.layout.runDir });
  return renderPlan(plan, file, new Map(Object.entries(state.cells ?? {})));
}
