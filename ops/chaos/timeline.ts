/** Servers per status in each second of the run, as the client last saw them. */
export interface StatusTimeline {
  /** Seconds since the load started, one per sample. */
  seconds: number[];
  /** Status -> servers in it at each sample. */
  counts: Record<string, number[]>;
}

/** The statuses a timeline keeps apart; anything else is counted as 'other'. */
const SHOWN = ['BUILD', 'ACTIVE', 'SHUTOFF', 'REBOOT', 'ERROR', 'DELETED'];

/** Samples `servers()` once a second until stopped. */
export class TimelineSampler {
  private readonly timeline: StatusTimeline = { seconds: [], counts: Object.fromEntries([...SHOWN, 'other'].map((s) => [s, []])) };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly started: number,
    private readonly servers: () => ReadonlyMap<string, string>,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): StatusTimeline {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return this.timeline;
  }

  private sample(): void {
    const tally: Record<string, number> = {};
    for (const status of this.servers().values()) {
      const key = SHOWN.includes(status) ? status : status === 'BUSY' ? 'ACTIVE' : 'other';
      tally[key] = (tally[key] ?? 0) + 1;
    }
    this.timeline.seconds.push(Math.round((Date.now() - this.started) / 100) / 10);
    for (const [status, series] of Object.entries(this.timeline.counts)) series.push(tally[status] ?? 0);
  }
}
