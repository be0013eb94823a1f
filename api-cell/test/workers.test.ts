import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { freePort, repoRoot, TestDeployment, waitFor } from '../../ops/testing/index.js';

let d: TestDeployment;
test.before(async () => {
  d = await TestDeployment.start({ cells: [{ name: 'one', pools: [{ prefix: 'w', hosts: 2 }] }] });
});
test.after.always(() => d?.stop());

const workersOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none.
  }
};

test('api workers - a killed worker is replaced while the other serves: no request is refused', async (t) => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const config = join(mkdtempSync(join(tmpdir(), 'cellstack-api-')), 'cellstack.yaml');
  writeFileSync(config, stringify({ ...d.config, api: { ...d.config.api, listen: `127.0.0.1:${port}`, workers: 2 }, metrics: { listen: `127.0.0.1:${metricsPort}` } }));
  const primary = spawn(process.execPath, [resolve(repoRoot, 'dist/api-cell/main.js'), '--config', config], { stdio: 'ignore' });
  const exited = new Promise((done) => primary.once('exit', done));
  t.teardown(async () => {
    primary.kill('SIGTERM');
    await exited;
  });
  const pid = primary.pid ?? 0;
  // A request that hangs is as bad as one refused: each gets 10 s.
  const health = async (): Promise<number> => (await fetch(`http://127.0.0.1:${port}/healthcheck`, { signal: AbortSignal.timeout(10_000) })).status;
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const listening = async (): Promise<boolean> => /cellstack_workers_listening\S* 2\b/.test(await metrics().catch(() => ''));
  await waitFor(async () => workersOf(pid).length === 2 && (await listening()), 60_000, 'two API workers listening');

  const [victim] = workersOf(pid);
  let answered = 0;
  const refused: string[] = [];
  let hammering = true;
  t.teardown(() => {
    hammering = false;
  });
  const hammer = (async () => {
    while (hammering && refused.length < 100) {
      try {
        if ((await health()) === 200) answered += 1;
      } catch (err) {
        refused.push(String((err as { cause?: unknown }).cause ?? err));
      }
    }
  })();
  process.kill(victim ?? 0, 'SIGKILL');
  await waitFor(async () => !workersOf(pid).includes(victim ?? 0) && (await listening()), 60_000, 'the dead worker to be replaced');
  const before = answered;
  await waitFor(async () => answered > before + 20, 30_000, `requests answered after the replacement (${answered} answered, refused: ${refused.slice(0, 3).join('; ')})`);
  hammering = false;
  await hammer;
  t.log(`errors while a worker was dead: ${refused.join('; ') || 'none'}`);
  t.deepEqual(refused.filter((e) => /ECONNREFUSED|TimeoutError|aborted/.test(e)), [], 'no connection was refused or left hanging while a worker was dead');

  const figures = await metrics();
  t.regex(figures, /cellstack_workers_alive\S* 2\b/, 'the primary serves its own figures');
  t.regex(figures, /cellstack_worker_restarts\S* 1\b/);
  t.regex(figures, /cellstack_http_requests_total|process_cpu_user_seconds_total/, 'and the workers\' figures summed');
});
