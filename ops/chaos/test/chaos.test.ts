import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { freePortRange, runNode } from '../../testing/index.js';
import type { ChaosResult } from '../report.js';

const stateDir = mkdtempSync(join(tmpdir(), 'cellstack-chaos-'));
// A run cut short (the test's time ran out) leaves its deployment, MariaDB and Redis: stop them all.
test.after.always(async () => {
  await runNode('ops/launcher/main.js', ['down', '--state-dir', stateDir], {}, 60_000).catch(() => undefined);
  for (const file of readdirSync(stateDir, { recursive: true }).map(String).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(stateDir, file), 'utf8').trim());
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
});

// Every kind the long scenario kills, once each, on a smaller deployment and a quicker schedule, so CI
// stays near two minutes; remote consoles are asked for, so leftover tokens would show.
test('chaos - boots and churn through kills of a pool, a conductor, a super-conductor, NATS, an API worker, Redis and MariaDB keep every invariant', async (t) => {
  t.timeout(420_000); // About a minute on a quiet machine; a loaded one takes several times that.
  // API, 2 NATS, and 7 /metrics (2 conductors, 2 pools, 2 super-conductors, the API).
  const base = await freePortRange(10);
  const scenario = {
    name: 'ci',
    description: 'the CI chaos run',
    duration: 24,
    seed: 7,
    jitter_s: 0.5,
    settle_deadline_s: 60,
    cleanup_deadline_s: 60,
    consoles: 5,
    deployment: { cells: 2, hosts_per_cell: 10, super_conductors: 2, api_workers: 2, state_dir: stateDir, api_port: base, nats_port: base + 1, metrics_port: base + 3 },
    timing: { report_interval: 2, resource_report_interval: 10, service_down_time: 10 },
    fake: { spawn_ms: 400, spawn_jitter_ms: 200, action_ms: 100 },
    boots: { count: 150, rate: 8 },
    churn: { rate: 1.5 },
    kills: [
      { at: 2, target: 'cell1-compute', restart_after: 3 },
      { at: 5, target: 'api-worker' },
      { at: 7, target: 'cell2-conductor', restart_after: 3 },
      { at: 10, target: 'super-conductor-1', restart_after: 3 },
      // A cell's NATS, then Redis while builds cast during the outage are still being re-driven.
      { at: 13, target: 'cell1-nats', restart_after: 3 },
      { at: 16, target: 'redis', restart_after: 3 },
      { at: 20, target: 'mariadb', restart_after: 3 },
    ],
  };
  const file = join(stateDir, 'ci.yaml');
  writeFileSync(file, stringify(scenario));

  const run = await runNode('ops/chaos/main.js', [file, '--no-progress'], {}, 400_000);
  const json = /result: (\S+\.json)/.exec(run.stdout)?.[1] ?? '';
  const html = /report: (\S+\.html)/.exec(run.stdout)?.[1] ?? '';
  t.true(existsSync(json), `${run.stdout}\n${run.stderr}`);
  const result = JSON.parse(readFileSync(json, 'utf8')) as ChaosResult;
  t.deepEqual(result.failures, [], run.stdout);
  t.is(run.code, 0, run.stdout);
  t.regex(run.stdout, /chaos ci: accepted \d+, .* PASS$/m);
  t.true(result.boots.accepted > 0);
  t.is(result.invariants.lost + result.invariants.stuck + result.invariants.duplicates + result.invariants.overAllocated, 0);
  t.deepEqual(
    result.kills.map((k) => k.kind).sort(),
    ['api-worker', 'cell-conductor', 'compute-pool', 'mariadb', 'nats', 'redis', 'super-conductor'],
  );
  t.true(result.kills.every((k) => k.pid !== undefined && k.backAt !== undefined && !k.failed), 'every part was killed and came back');
  t.true(Object.values(result.cleanup.left).every((n) => n === 0), 'nothing left after deleting everything');
  t.true(readFileSync(html, 'utf8').includes('uPlot'), 'the report carries its chart library');
  t.false(existsSync(join(stateDir, 'run', 'api.pid')), 'the deployment was stopped');
  const left = (() => {
    try {
      return execFileSync('pgrep', ['-f', stateDir], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  })();
  t.is(left, '', 'no process of the run (its MariaDB and Redis included) is left');
});
