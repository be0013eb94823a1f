import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runNode } from '../../testing/index.js';

const out = mkdtempSync(join(tmpdir(), 'cellstack-tempest-out-'));
test.after.always(() => rmSync(out, { recursive: true, force: true }));

interface Results {
  summary: { counts: Record<string, number> };
  tests: { id: string; status: string; reason?: string; cause?: string }[];
}

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
