import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runNode } from '../../testing/index.js';
import { parseSubunit } from '../subunit.js';

const out = mkdtempSync(join(tmpdir(), 'cellstack-tempest-out-'));
test.after.always(() => rmSync(out, { recursive: true, force: true }));

interface Results {
  summary: { counts: Record<string, number> };
  tests: { id: string; status: string; reason?: string; cause?: string }[];
}

/** One subunit v2 packet (CRC left zero: the reader does not check it), as stestr writes them. */
function packet(status: number, id: string, time: number, file?: [string, string]): Buffer {
  const varint = (n: number): Buffer => (n < 0x40 ? Buffer.from([n]) : Buffer.from([0x40 | (n >> 8), n & 0xff]));
  const text = (s: string): Buffer => Buffer.concat([varint(Buffer.byteLength(s)), Buffer.from(s)]);
  const stamp = Buffer.alloc(4);
  stamp.writeUInt32BE(time);
  const fields = [stamp, varint(0), text(id), ...(file ? [text('text/plain;charset=utf8'), text(file[0]), text(file[1])] : [])];
  const body = Buffer.concat(fields);
  const flags = 0x2000 | 0x0800 | 0x0200 | (file ? 0x0060 : 0) | status;
  const head = Buffer.from([0xb3, flags >> 8, flags & 0xff]);
  const total = head.length + body.length + 4 + 2;
  return Buffer.concat([head, Buffer.from([0x40 | (total >> 8), total & 0xff]), body, Buffer.alloc(4)]);
}

test('tempest - the subunit reader gives each test its final status, its skip reason and its traceback', (t) => {
  const stream = Buffer.concat([
    packet(2, 'a.B.test_ok', 100),
    packet(3, 'a.B.test_ok', 102),
    packet(2, 'a.B.test_skip', 100),
    packet(0, 'a.B.test_skip', 100, ['reason', 'Cinder is not available']),
    packet(5, 'a.B.test_skip', 100),
    packet(0, 'a.B.test_fail', 101, ['traceback', 'Traceback:\n  boom\nValueError: 4 != 3\n']),
    packet(6, 'a.B.test_fail', 101),
  ]);
  t.deepEqual(parseSubunit(stream), [
    { id: 'a.B.test_ok', status: 'passed', seconds: 2, details: {} },
    { id: 'a.B.test_skip', status: 'skipped', seconds: 0, details: { reason: 'Cinder is not available' } },
    { id: 'a.B.test_fail', status: 'failed', seconds: 0, details: { traceback: 'Traceback:\n  boom\nValueError: 4 != 3\n' } },
  ]);
});

test("tempest - the CI selection of Tempest's compute API tests passes against a fresh deployment", async (t) => {
  t.timeout(15 * 60_000);
  // Installs Tempest when missing, brings up its own deployment on free ports, and stops it after.
  const run = await runNode('ops/tempest/main.js', ['--selection', 'ci', '--out', out, '--timeout', '12'], {}, 14 * 60_000);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  const failed = results.tests.filter((x) => x.status === 'failed').map((x) => `${x.id}: ${x.cause ?? ''}`);
  t.deepEqual(failed, [], run.stdout.slice(-3000));
  t.is(run.code, 0, run.stderr);
  t.true(results.summary.counts['passed'] !== undefined && results.summary.counts['passed'] >= 100, JSON.stringify(results.summary.counts));
  t.true(results.tests.filter((x) => x.status === 'skipped').every((x) => (x.reason ?? '') !== ''));
  t.regex(readFileSync(join(out, 'passed.txt'), 'utf8'), /^tempest\.api\.compute\.servers\.test_servers\.ServersTestJSON\.test_update_server_name$/m);
});
