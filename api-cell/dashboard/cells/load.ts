import { errorMessage, type Logger } from '../../../ops/runtime/index.js';

/** A conductor's load between two scrapes of its /metrics. */
export interface ConductorLoad {
  messagesPerS: number;
  /** Share of one core, in percent. */
  cpuPercent: number;
}

interface Sample {
  at: number;
  messages: number;
  cpuSeconds: number;
}

/** `cell=URL,cell=URL` as the dashboard.conductor_metrics key has it. */
export function parseTargets(value: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at > 0) targets.set(part.slice(0, at), part.slice(at + 1));
  }
  return targets;
}

/** The sum of every series of `name` in Prometheus text. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Scrapes each cell conductor's /metrics and keeps its rate of messages and CPU since the scrape before. */
export class ConductorLoads {
  private readonly last = new Map<string, Sample>();
  private readonly loads = new Map<string, ConductorLoad | null>();

  constructor(
    private readonly targets: Map<string, string>,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  of(cell: string): ConductorLoad | null | undefined {
    return this.loads.get(cell);
  }

  async scrape(): Promise<void> {
    await Promise.all([...this.targets].map(([cell, url]) => this.scrapeOne(cell, url)));
  }

  private async scrapeOne(cell: string, url: string): Promise<void> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      const sample = { at: Date.now(), messages: metricSum(text, 'cellstack_conductor_messages_total'), cpuSeconds: metricSum(text, 'process_cpu_seconds_total') };
      const before = this.last.get(cell);
      this.last.set(cell, sample);
      // A restarted conductor starts its counters again: no rate until two samples of the same process.
      if (!before || sample.messages < before.messages || sample.at === before.at) return;
      const seconds = (sample.at - before.at) / 1000;
      this.loads.set(cell, {
        messagesPerS: Math.round(((sample.messages - before.messages) / seconds) * 10) / 10,
        cpuPercent: Math.round(((sample.cpuSeconds - before.cpuSeconds) / seconds) * 1000) / 10,
      });
    } catch (err) {
      if (this.loads.get(cell) !== null) this.log.warn({ cell, url, err: errorMessage(err) }, 'cannot read the conductor metrics');
      this.loads.set(cell, null);
      this.last.delete(cell);
    }
  }
}
