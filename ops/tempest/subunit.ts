/*
 * A reader for subunit v2, the binary stream stestr keeps of a run. Each packet: 0xB3, 16 bits of
 * flags (version 2 in the top nibble, which fields follow, the status in the low 3 bits), its
 * whole length, then the fields present in a fixed order, then a CRC32 (not checked here).
 */

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'xfail' | 'uxsuccess';

export interface TestResult {
  id: string;
  status: TestStatus;
  /** Seconds from the first to the last packet of the test. */
  seconds: number;
  /** Attachments by name: `reason` for a skip, `traceback` for a failure, captured logs. */
  details: Record<string, string>;
}

const flag = { testId: 0x0800, route: 0x0400, timestamp: 0x0200, tags: 0x0080, content: 0x0040, mime: 0x0020 };
const finalStatus: Record<number, TestStatus> = { 3: 'passed', 4: 'uxsuccess', 5: 'skipped', 6: 'failed', 7: 'xfail' };

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  varint(): number {
    const first = this.buf.readUInt8(this.pos);
    const extra = first >> 6;
    let value = first & 0x3f;
    for (let i = 1; i <= extra; i++) value = value * 256 + this.buf.readUInt8(this.pos + i);
    this.pos += extra + 1;
    return value;
  }

  bytes(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  text(): string {
    return this.bytes(this.varint()).toString('utf8');
  }

  timestamp(): number {
    const seconds = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return seconds + this.varint() / 1e9;
  }
}

interface Open {
  start?: number;
  end?: number;
  status?: TestStatus;
  details: Record<string, string>;
}

/** Every test of a subunit v2 stream with its final status and attachments, in the order they first appear. */
export function parseSubunit(stream: Buffer): TestResult[] {
  const tests = new Map<string, Open>();
  let pos = 0;
  while (pos < stream.length) {
    if (stream.readUInt8(pos) !== 0xb3) throw new Error(`not a subunit v2 packet at byte ${pos}`);
    const flags = stream.readUInt16BE(pos + 1);
    const r = new Reader(stream, pos + 3);
    const length = r.varint();
    const time = flags & flag.timestamp ? r.timestamp() : undefined;
    const id = flags & flag.testId ? r.text() : undefined;
    if (flags & flag.tags) for (let n = r.varint(); n > 0; n--) r.text();
    if (flags & flag.mime) r.text();
    let file: [string, string] | undefined;
    if (flags & flag.content) {
      const name = r.text();
      file = [name, r.bytes(r.varint()).toString('utf8')];
    }
    pos += length;
    if (id === undefined) continue;
    const test = tests.get(id) ?? { details: {} };
    tests.set(id, test);
    if (time !== undefined) {
      test.start ??= time;
      test.end = time;
    }
    if (file) test.details[file[0]] = (test.details[file[0]] ?? '') + file[1];
    const status = finalStatus[flags & 0x7];
    if (status) test.status = status;
  }
  return [...tests]
    .filter((entry): entry is [string, Open & { status: TestStatus }] => entry[1].status !== undefined)
    .map(([id, t]) => ({ id, status: t.status, seconds: (t.end ?? 0) - (t.start ?? 0), details: t.details }));
}
