import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { CpuMeter } from '../bench/cpu.js';
import { processesToMeter } from '../bench/deployment.js';
import { machineDescription } from '../bench/machine.js';
import { ComputeApi, firstImage, liftQuota, passwordToken, RequestCounter } from './client.js';
import { bringDown, bringUp, cellProbes, hostsUp, metricsUrls, openCells, scenarioOptions } from './deployment.js';
import { ServerDriver, type BootOutcome, type ChurnOutcome } from './drive.js';
import { CellSampler, type CellFigures } from './sampler.js';
import { hostCounts, type Scenario } from './scenario.js';
import { histogram, percentiles, type Histogram, type Percentiles } from './stats.js';

export interface LoadTestResult {
  name: string;
  machine: string;
  date: string;
  scenario: Scenario;
  hosts: { cells: number; real: number; perCell: number; emulated: number };
  /** Set when time compression was on: what it did and how many hosts the load stands for. */
  timeCompression: { k: number; note: string } | null;
  /** Seconds from the start of the load to the last reading. */
  seconds: number;
  api: {
    requests: number;
    requestsPerSecond: number;
    writesPerSecond: number;
    readsPerSecond: number;
    writesPerSecondSeries: number[];
    readsPerSecondSeries: number[];
  };
  boots: Omit<BootOutcome, 'postToActiveMs' | 'acceptMs'> & {
    bootsPerSecond: number;
    postToActiveMs: Percentiles | null;
    acceptMs: Percentiles | null;
    postToActiveHistogram: Histogram;
  };
  churn: ChurnOutcome;
  cells: CellFigures[];
  /** Seconds since the start of the load of each per-cell series point. */
  sampleTimes: number[];
  /** CPU seconds of every process over the load, by role (plus MariaDB and Redis). */
  cpuSeconds: Record<string, number>;
  notes: string[];
}

export interface RunOptions {
  root: string;
  /** Progress bars on the terminal. */
  progress: boolean;
  say: (line: string) => void;
}

/** Runs one scenario end to end: up, wait for hosts, warm up, drive and measure, down. */
export async function runScenario(s: Scenario, o: RunOptions): Promise<LoadTestResult> {
  const options = scenarioOptions(o.root, s);
  const counts = hostCounts(s);
  o.say(s.deployment.reuse ? `driving the deployment in ${options.stateDir}` : `bringing up ${s.deployment.cells} cells with ${counts.real} fake hosts`);
  const layout = await bringUp(o.root, s, options, (line) => o.say(`  ${line}`));
  const cells = openCells(layout);
  const bars = o.progress ? new MultiBar({ hideCursor: true, clearOnComplete: false, format: '  {what} [{bar}] {value}/{total} {unit}' }, Presets.shades_classic) : undefined;
  try {
    // The hosts of every pool: an inventory's cells need not be alike.
    const expected = layout.cells.reduce((n, cell) => n + cell.pools.reduce((m, pool) => m + pool.hosts, 0), 0);
    await waitForHosts(cells, expected, s, bars);
    await countdown('warm-up', s.warmup, bars);
    const { token, projectId } = await passwordToken(layout.apiUrl, 'admin', options.adminPassword, 'admin');
    const started = Date.now();
    const counter = new RequestCounter(started);
    const api = new ComputeApi(layout.apiUrl, token, counter);
    await liftQuota(api, projectId);
    const image = await firstImage(api, layout.apiUrl, token);
    const sampler = new CellSampler(cellProbes(layout), metricsUrls(layout), s.sample_interval * 1000);
    const meter = new CpuMeter(processesToMeter(layout.runDir));
    await sampler.start();
    meter.start();
    const driver = new ServerDriver(api, s, image, started);
    const clock = bars?.create(Math.ceil(s.duration), 0, { what: 'load    ', unit: 's' });
    const settledBar = s.boots.count > 0 ? bars?.create(s.boots.count, 0, { what: 'booted  ', unit: 'servers' }) : undefined;
    const outcome = await driver.run(() => {
      clock?.update(Math.min(Math.ceil(s.duration), Math.floor((Date.now() - started) / 1000)));
      settledBar?.update(driver.settledCount);
    });
    await sampler.stop();
    const cpu = meter.stop();
    bars?.stop();
    return assemble(s, { started, counter, outcome, sampler, cpu, expected, options: { cells: options.cells, hostsPerCell: options.hostsPerCell } });
  } finally {
    bars?.stop();
    await Promise.all(cells.map((c) => c.close()));
    await bringDown(s, options);
  }
}

interface Collected {
  started: number;
  counter: RequestCounter;
  outcome: { boots: BootOutcome; churn: ChurnOutcome };
  sampler: CellSampler;
  cpu: Record<string, number>;
  expected: number;
  options: { cells: number; hostsPerCell: number };
}

function assemble(s: Scenario, c: Collected): LoadTestResult {
  const seconds = Math.max(0.001, (Date.now() - c.started) / 1000);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const { postToActiveMs, acceptMs, ...boots } = c.outcome.boots;
  const lastActive = boots.activePerSecond.length;
  const k = s.timing.compression;
  const real = c.options.cells * c.options.hostsPerCell;
  const notes: string[] = [
    'DB statements/s: statements every cellstack process sent to the cell database (a prom-client counter in the shared database helpers), not MariaDB-side figures.',
    "Bus msgs/s: messages published into the cell's NATS server (/varz in_msgs); deliveries are out_msgs.",
    'Heartbeat lag: host send time to the batched heartbeat write committing, from the conductor histogram (bucket interpolation).',
  ];
  const downTime = s.timing.service_down_time / k;
  if (downTime < 2) {
    notes.push(
      `service_down_time is ${downTime.toFixed(2)} s after compression: below about 2 s hosts may look down to the scheduler (it reads liveness every scheduler.host_state_refresh_ms, 1 s by default, and heartbeats are written in batches every 250 ms), so boots may fail with no valid host.`,
    );
  }
  if (s.deployment.reuse) notes.push('Ran against a deployment already running: its own timings and fake-host settings apply, not the scenario\'s.');
  return {
    name: s.name,
    machine: machineDescription(),
    date: new Date(c.started).toISOString(),
    scenario: s,
    hosts: { cells: c.options.cells, real, perCell: c.options.hostsPerCell, emulated: Math.round(real * k) },
    timeCompression:
      k === 1
        ? null
        : {
            k,
            note: `time compression K=${k}: heartbeat and resource report intervals and service_down_time divided by ${k}, so ${real} hosts send the bus and DB load of ${Math.round(real * k)}`,
          },
    seconds,
    api: {
      requests: sum(c.counter.writes) + sum(c.counter.reads),
      requestsPerSecond: (sum(c.counter.writes) + sum(c.counter.reads)) / seconds,
      writesPerSecond: sum(c.counter.writes) / seconds,
      readsPerSecond: sum(c.counter.reads) / seconds,
      writesPerSecondSeries: c.counter.writes,
      readsPerSecondSeries: c.counter.reads,
    },
    boots: {
      ...boots,
      bootsPerSecond: lastActive > 0 ? boots.active / lastActive : 0,
      postToActiveMs: percentiles(postToActiveMs),
      acceptMs: percentiles(acceptMs),
      postToActiveHistogram: histogram(postToActiveMs),
    },
    churn: c.outcome.churn,
    cells: c.sampler.figures(),
    sampleTimes: c.sampler.times(),
    cpuSeconds: c.cpu,
    notes,
  };
}

async function waitForHosts(cells: ReturnType<typeof openCells>, expected: number, s: Scenario, bars: MultiBar | undefined): Promise<void> {
  const bar: SingleBar | undefined = bars?.create(expected, 0, { what: 'hosts up', unit: 'hosts' });
  const window = Math.max(5, (3 * s.timing.report_interval) / s.timing.compression);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const up = await hostsUp(cells, window);
    bar?.update(Math.min(up, expected));
    if (up >= expected) break;
    if (Date.now() > deadline) throw new Error(`only ${up} of ${expected} hosts heartbeat after 5 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
  bar?.stop();
}

async function countdown(what: string, seconds: number, bars: MultiBar | undefined): Promise<void> {
  if (seconds <= 0) return;
  const bar = bars?.create(Math.ceil(seconds), 0, { what: what.padEnd(8), unit: 's' });
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    await new Promise((r) => setTimeout(r, Math.min(1000, seconds * 1000 - (Date.now() - started))));
    bar?.update(Math.min(Math.ceil(seconds), Math.round((Date.now() - started) / 1000)));
  }
  bar?.stop();
}
