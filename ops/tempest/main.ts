import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { parse } from 'yaml';
import { freshDeployment } from '../bench/deployment.js';
import { resolveOptions, up } from '../launcher/deployment.js';
import { defaultOptions, layoutOf, type DeploymentOptions, type Layout } from '../launcher/layout.js';
import { errorMessage } from '../runtime/index.js';
import { freePortRange } from '../testing/index.js';
import { prepareCloud, type AdminCredentials } from './cloud.js';
import { tempestConf } from './conf.js';
import { ensureTempest } from './install.js';
import { summarize, writeReport } from './report.js';
import { forgetWorkspace, runTempest } from './run.js';
import { fullSuite, readSelection } from './selection.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sourceDir = join(root, 'ops/tempest');
const say = (line: string): void => console.log(line);

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
};

interface Flags {
  full?: boolean;
  regex?: string;
  selection: string;
  stateDir?: string;
  out?: string;
  concurrency: number;
  timeout: number;
  keep?: boolean;
}

/** Reads the admin's credentials from the clouds.yaml `deploy up` wrote. */
function adminCredentials(layout: Layout): AdminCredentials {
  const doc = parse(readFileSync(layout.cloudsFile, 'utf8')) as { clouds: Record<string, { auth: Record<string, string>; region_name?: string }> };
  const cloud = Object.values(doc.clouds)[0];
  if (!cloud) throw new Error(`${layout.cloudsFile} names no cloud`);
  return {
    authUrl: cloud.auth['auth_url'] ?? `${layout.apiUrl}/identity/v3`,
    username: cloud.auth['username'] ?? 'admin',
    password: cloud.auth['password'] ?? '',
    projectName: cloud.auth['project_name'] ?? 'admin',
    domainName: cloud.auth['user_domain_name'] ?? 'Default',
    region: cloud.region_name ?? 'RegionOne',
  };
}

/** The run's own deployment: its own state directory, databases and free ports, beside a developer's or another run's. */
async function ownDeployment(): Promise<DeploymentOptions> {
  const base = await freePortRange(40);
  return resolveOptions(defaultOptions(root), {
    stateDir: mkdtempSync(join(tmpdir(), 'cellstack-tempest-deployment-')),
    dbPrefix: `cellstack_tempest_${process.pid}`,
    apiPort: base,
    natsPort: base + 1,
    metricsPort: base + 10,
  });
}

async function main(flags: Flags): Promise<number> {
  const selection = flags.full ? 'full' : flags.regex !== undefined ? 'regex' : flags.selection;
  const include = flags.full ? fullSuite : flags.regex !== undefined ? [flags.regex] : readSelection(sourceDir, selection);
  ensureTempest(say);

  let options: DeploymentOptions;
  const own = flags.stateDir === undefined;
  if (own) {
    options = await ownDeployment();
    say(`bringing up a deployment for the run in ${options.stateDir}`);
    await freshDeployment(options);
    await up(options, root, '/usr/sbin/nats-server', (line) => say(`  ${line}`));
  } else {
    const saved = JSON.parse(readFileSync(join(flags.stateDir ?? '', 'deployment.json'), 'utf8')) as DeploymentOptions;
    options = resolveOptions(defaultOptions(root), saved);
  }
  const workspace = mkdtempSync(join(tmpdir(), 'cellstack-tempest-'));
  try {
    const layout = layoutOf(options);
    const creds = adminCredentials(layout);
    const cloud = await prepareCloud(creds, say);
    say(`running ${selection} (${include.length} pattern${include.length === 1 ? '' : 's'}) against ${layout.apiUrl}, concurrency ${flags.concurrency}`);
    const started = new Date();
    const results = await runTempest({ workspace, conf: tempestConf(workspace, creds, cloud), include, concurrency: flags.concurrency, timeoutMs: flags.timeout * 60_000 }, say);
    const summary = summarize(selection, started, (Date.now() - started.getTime()) / 1000, results);
    const out = flags.out ?? join(root, 'ops/tempest/out', selection);
    writeReport(out, summary, results);
    const c = summary.counts;
    say(`\n${selection}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped in ${summary.seconds} s`);
    say(`lists: ${out}/{passed,failed,skipped,summary}.txt, results.json`);
    return c.failed + c.uxsuccess > 0 ? 1 : 0;
  } finally {
    forgetWorkspace(workspace);
    rmSync(workspace, { recursive: true, force: true });
    if (own && !flags.keep) {
      await freshDeployment(options);
      rmSync(options.stateDir, { recursive: true, force: true });
    } else if (own) say(`the run's deployment stays up: ops/bin/deploy down --state-dir ${options.stateDir}`);
  }
}

const program = new Command('tempest')
  .description("run Tempest's compute API tests against a cellstack deployment")
  .option('--full', 'every test of tempest.api.compute')
  .option('--regex <regex>', 'the tests whose ids match (lists go to ops/tempest/out/regex)')
  .option('--selection <name>', 'a list in ops/tempest/<name>-selection.txt', 'ci')
  .option('--state-dir <dir>', 'a running deployment to test (default: bring one up for the run and stop it after)', (v) => resolve(v))
  .option('--out <dir>', 'where the lists go (default ops/tempest/out/<selection>)', (v) => resolve(v))
  .option('--concurrency <n>', 'Tempest workers', positive, 2)
  .option('--timeout <minutes>', 'stop Tempest after this long', positive, 90)
  .option('--keep', 'leave the run’s own deployment up');

try {
  process.exitCode = await main(program.parse().opts<Flags>());
} catch (err) {
  console.error(`tempest: ${errorMessage(err)}`);
  process.exitCode = 2;
}
