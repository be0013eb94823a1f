import { cpuSeconds } from '../bench/cpu.js';
import { bucketDelta, bucketQuantile, histogramBuckets, natsCounts, scrapeMetrics, sumOf, type Sample } from './scrape.js';

/** Where one cell's figures come from. */
export interface CellProbe {
  name: string;
  /** Its database's name, as the statement counters label it. */
  database: string;
  conductorPid: number | undefined;
  conductorMetricsUrl: string;
  natsMonitorUrl: string;
}

interface CellReading {
  inMsgs: number;
  outMsgs: number;
  conductorCpu: number;
  dbStatements: number;
  lag: Map<number, number>;
}

interface Reading {
  at: number;
  cells: CellReading[];
}

export interface CellFigures {
  cell: string;
  /** Messages published into the cell's NATS server per second (its /varz in_msgs). */
  busMsgsPerSecond: number;
  /** Messages the cell's NATS server delivered per second (out_msgs). */
  busDeliveriesPerSecond: number;
  /** Of one core. */
  conductorCpuPercent: number;
  dbStatementsPerSecond: number;
  heartbeats: number;
  /** Heartbeats written per second: what time compression really achieved. */
  heartbeatsPerSecond: number;
  heartbeatLagMs: { p50: number | null; p99: number | null };
  series: {
    busMsgsPerSecond: number[];
    dbStatementsPerSecond: number[];
    conductorCpuPercent: number[];
    heartbeatLagP99Ms: (number | null)[];
  };
}

const prefixes = ['cellstack_db_statements_total', 'cellstack_heartbeat_lag_seconds'];
const lagMetric = 'cellstack_heartbeat_lag_seconds';
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Reads every cell's bus, conductor CPU, DB statements and heartbeat lag every interval, and turns
 * the readings into rates and percentiles over the whole window and per interval.
 */
export class CellSampler {
  private readonly readings: Reading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly cells: CellProbe[],
    /** Every process's /metrics: statements against a cell's database come from several. */
    private readonly metricsUrls: string[],
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    await this.read();
    this.timer = setInterval(() => {
      this.reading = this.reading.then(() => this.read());
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.reading;
    await this.read();
  }

  private async read(): Promise<void> {
    const at = Date.now();
    const all = await Promise.all(this.metricsUrls.map((url) => scrapeMetrics(url, prefixes)));
    const samples = all.flatMap((s) => s ?? []);
    const previous = this.readings[this.readings.length - 1];
    const cells = await Promise.all(this.cells.map((cell, i) => this.readCell(cell, samples, previous?.cells[i])));
    this.readings.push({ at, cells });
  }

  private async readCell(cell: CellProbe, samples: Sample[], previous: CellReading | undefined): Promise<CellReading> {
    const [nats, conductor] = await Promise.all([natsCounts(cell.natsMonitorUrl), scrapeMetrics(cell.conductorMetricsUrl, [lagMetric])]);
    return {
      inMsgs: nats?.inMsgs ?? previous?.inMsgs ?? 0,
      outMsgs: nats?.outMsgs ?? previous?.outMsgs ?? 0,
      conductorCpu: cell.conductorPid ? cpuSeconds(cell.conductorPid) : 0,
      dbStatements: sumOf(samples, 'cellstack_db_statements_total', { database: cell.database }),
      lag: conductor ? histogramBuckets(conductor, lagMetric) : (previous?.lag ?? new Map()),
    };
  }

  /** Seconds since the first reading, one per interval after it. */
  times(): number[] {
    const first = this.readings[0]?.at ?? 0;
    return this.readings.slice(1).map((r) => round((r.at - first) / 1000, 2));
  }

  figures(): CellFigures[] {
    const first = this.readings[0];
    const last = this.readings[this.readings.length - 1];
    if (!first || !last || last === first) return [];
    const seconds = (last.at - first.at) / 1000;
    return this.cells.map((cell, i) => {
      const a = first.cells[i] as CellReading;
      const b = last.cells[i] as CellReading;
      const lag = bucketDelta(b.lag, a.lag);
      const quantile = (q: number): number | null => {
        const v = bucketQuantile(lag, q);
        return v === undefined ? null : round(v * 1000);
      };
      return {
        cell: cell.name,
        busMsgsPerSecond: round((b.inMsgs - a.inMsgs) / seconds),
        busDeliveriesPerSecond: round((b.outMsgs - a.outMsgs) / seconds),
        conductorCpuPercent: round(((b.conductorCpu - a.conductorCpu) / seconds) * 100),
        dbStatementsPerSecond: round((b.dbStatements - a.dbStatements) / seconds),
        heartbeats: lag.get(Infinity) ?? 0,
        heartbeatsPerSecond: round((lag.get(Infinity) ?? 0) / seconds),
        heartbeatLagMs: { p50: quantile(0.5), p99: quantile(0.99) },
        series: this.series(i),
      };
    });
  }

  private series(i: number): CellFigures['series'] {
    const out: CellFigures['series'] = { busMsgsPerSecond: [], dbStatementsPerSecond: [], conductorCpuPercent: [], heartbeatLagP99Ms: [] };
    for (let r = 1; r < this.readings.length; r += 1) {
      const before = this.readings[r - 1] as Reading;
      const now = this.readings[r] as Reading;
      const a = before.cells[i] as CellReading;
      const b = now.cells[i] as CellReading;
      const dt = Math.max(0.001, (now.at - before.at) / 1000);
      out.busMsgsPerSecond.push(round((b.inMsgs - a.inMsgs) / dt));
      out.dbStatementsPerSecond.push(round((b.dbStatements - a.dbStatements) / dt));
      out.conductorCpuPercent.push(round(((b.conductorCpu - a.conductorCpu) / dt) * 100));
      const p99 = bucketQuantile(bucketDelta(b.lag, a.lag), 0.99);
      out.heartbeatLagP99Ms.push(p99 === undefined ? null : round(p99 * 1000));
    }
    return out;
  }
}
