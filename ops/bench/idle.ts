import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { openCellDatabase, type CellDatabase } from '../../child-cell/db/index.js';
import { down, up } from '../launcher/deployment.js';
import { layoutOf } from '../launcher/layout.js';
import { hostsUp } from '../loadtest/deployment.js';
import { CpuMeter } from './cpu.js';
import { benchOptions, freshDeployment, processesToMeter } from './deployment.js';
import { machineDescription } from './machine.js';

export interface IdleFlags {
  cells: number;
  hosts: number;
  warmup: number;
  seconds: number;
  keep?: boolean;
}

/**
 * Brings up `hosts` fake hosts over `cells` cells, waits until every host heartbeats and the
 * warm-up has passed, then measures the CPU every process uses while nothing is booting.
 */
export async function idleBench(root: string, flags: IdleFlags): Promise<void> {
  const options = benchOptions(root, flags.cells, Math.ceil(flags.hosts / flags.cells));
  await freshDeployment(options);
  console.log(`bringing up ${flags.cells} cells with ${options.hostsPerCell * flags.cells} fake hosts`);
  await up(options, root, '/usr/sbin/nats-server', (line) => console.log(`  ${line}`));
  const layout = layoutOf(options);
  const cells = layout.cells.map((c) => openCellDatabase(c.databaseUrl, { poolMax: 1 }));
  try {
    await waitForHosts(cells, options.hostsPerCell * flags.cells);
    await countdown('warming up', flags.warmup);
    const meter = new CpuMeter(processesToMeter(layout.runDir));
    meter.start();
    await countdown('measuring', flags.seconds);
    report(root, flags, options.hostsPerCell * flags.cells, meter.stop());
  } finally {
    await Promise.all(cells.map((c) => c.close()));
    if (!flags.keep) {
      await down(options);
      console.log('benchmark deployment stopped (--keep leaves it running)');
    }
  }
}

export async function waitForHosts(cells: CellDatabase[], expected: number): Promise<void> {
  const bar = new SingleBar({ format: '  hosts up [{bar}] {value}/{total}', hideCursor: true });
  bar.start(expected, 0);
  for (;;) {
    const up = await hostsUp(cells, 60);
    bar.update(up);
    if (up >= expected) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  bar.stop();
}

async function countdown(what: string, seconds: number): Promise<void> {
  const bar = new SingleBar({ format: `  ${what.padEnd(10)} [{bar}] {value}/{total} s`, hideCursor: true });
  bar.start(seconds, 0);
  for (let s = 1; s <= seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    bar.update(s);
  }
  bar.stop();
}

function report(root: string, flags: IdleFlags, hosts: number, cpu: Record<string, number>): void {
  const percent = (seconds: number): number => Math.round((seconds / flags.seconds) * 1000) / 10;
  const cellstack = Object.entries(cpu).filter(([label]) => label !== 'mariadbd' && label !== 'redis-server');
  const ours = cellstack.reduce((sum, [, v]) => sum + v, 0);
  const all = Object.values(cpu).reduce((sum, v) => sum + v, 0);
  const byProcess = Object.fromEntries(Object.entries(cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, percent(v)]));
  console.log(
    [
      '',
      `machine:        ${machineDescription()}`,
      `date:           ${new Date().toISOString()}`,
      `scenario:       ${hosts} idle fake hosts in ${flags.cells} cells, measured ${flags.seconds} s after a ${flags.warmup} s warm-up`,
      `cellstack CPU:  ${percent(ours)}% of one core (every cellstack process and nats-server)`,
      `with databases: ${percent(all)}% of one core (adding MariaDB and Redis)`,
      `by process:     ${Object.entries(byProcess).map(([k, v]) => `${k} ${v}%`).join(', ')}`,
    ].join('\n'),
  );
  const out = resolve(root, 'ops/bench/out');
  mkdirSync(out, { recursive: true });
  const file = resolve(out, `idle-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const result = { machine: machineDescription(), date: new Date().toISOString(), flags, hosts, cellstackPercent: percent(ours), allPercent: percent(all), percentByProcess: byProcess };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`result:         ${file}`);
}
