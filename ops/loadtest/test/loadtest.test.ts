import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Histogram, Registry } from 'prom-client';
import { stringify } from 'yaml';
import { dbServer, freePortRange, redisUrl, runNode, TestDatabases } from '../../testing/index.js';
import type { LoadTestResult } from '../run.js';
import { histogramBuckets, parseMetrics } from '../scrape.js';

const dbs = new TestDatabases();
const stateDir = mkdtempSync(join(tmpdir(), 'cellstack-loadtest-'));
test.after.always(async () => {
  await dbs.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

test('loadtest - the scraper reads each labelled series of a prom-client histogram', async (t) => {
  const registry = new Registry();
  const lag = new Histogram({ name: 'cellstack_test_lag_seconds', help: 'lag', labelNames: ['host'], buckets: [0.1, 1], registers: [registry] });
  lag.observe({ host: 'a' }, 0.05);
  lag.observe({ host: 'a' }, 5);
  lag.observe({ host: 'b' }, 0.5);
  const samples = parseMetrics(await registry.metrics(), ['cellstack_test_lag']);
  t.deepEqual([...histogramBuckets(samples, 'cellstack_test_lag_seconds')].sort(([x], [y]) => x - y), [[0.1, 1], [1, 2], [Infinity, 3]]);
  t.like(samples.find((s) => s.name === 'cellstack_test_lag_seconds_count' && s.labels['host'] === 'b'), { value: 1 });
});

test('loadtest - a small scenario runs end to end and its JSON result holds the per-cell and API figures', async (t) => {
  // API, 2 NATS, 2 NATS monitors, and 6 /metrics (2 conductors, 2 pools, a super-conductor, the API).
  const base = await freePortRange(11);
  const scenario = {
    name: 'test-small',
    duration: 15,
    warmup: 1,
    settle: 30,
    deployment: {
      cells: 2,
      hosts_per_cell: 25,
      state_dir: stateDir,
      db_prefix: `${dbs.prefix}_lt`,
      db_server: dbServer,
      redis_url: redisUrl,
      api_port: base,
      nats_port: base + 1,
      nats_monitor_port: base + 3,
      metrics_port: base + 5,
    },
    timing: { report_interval: 1, resource_report_interval: 5, service_down_time: 10, compression: 2 },
    fake: { spawn_ms: 100, spawn_jitter_ms: 50 },
    boots: { count: 20, rate: 4 },
    churn: { rate: 1, delete: 1, reboot: 1, stop: 1, start: 1 },
  };
  const file = join(stateDir, 'scenario.yaml');
  writeFileSync(file, stringify(scenario));

  const run = await runNode('ops/loadtest/main.js', [file, '--no-progress'], {}, 85_000);
  t.is(run.code, 0, run.stderr);
  const json = /result:\s+(\S+\.json)/.exec(run.stdout)?.[1] ?? '';
  const html = /report:\s+(\S+\.html)/.exec(run.stdout)?.[1] ?? '';
  t.true(existsSync(json), run.stdout);
  t.true(readFileSync(html, 'utf8').includes('uPlot'), 'the report carries its chart library');
  const result = JSON.parse(readFileSync(json, 'utf8')) as LoadTestResult;

  t.is(result.hosts.real, 50);
  t.is(result.hosts.emulated, 100);
  t.regex(result.timeCompression?.note ?? '', /K=2/);
  t.true(result.api.requestsPerSecond > 0);
  t.true(result.api.writesPerSecond > 0);
  t.is(result.boots.active + result.boots.errors, 20);
  const p = result.boots.postToActiveMs;
  t.truthy(p);
  t.true((p?.p50 ?? -1) >= 0 && (p?.p50 ?? 0) <= (p?.p99 ?? -1));
  t.true(Object.values(result.churn.operations).some((o) => o.accepted > 0), 'some churn happened');
  t.deepEqual(result.cells.map((c) => c.cell), ['cell1', 'cell2']);
  for (const cell of result.cells) {
    t.true(cell.busMsgsPerSecond > 0, `${cell.cell} bus`);
    t.true(cell.dbStatementsPerSecond > 0, `${cell.cell} DB`);
    t.true(cell.conductorCpuPercent > 0, `${cell.cell} conductor CPU`);
    t.true(cell.heartbeats > 0, `${cell.cell} heartbeats`);
    t.is(typeof cell.heartbeatLagMs.p50, 'number');
    t.true((cell.heartbeatLagMs.p99 ?? -1) >= (cell.heartbeatLagMs.p50 ?? 0));
    t.true(cell.series.busMsgsPerSecond.length > 0);
  }
});
