import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { writeOutput } from '../loadtest/output.js';
import { errorMessage } from '../runtime/index.js';
import { chaosReport, summaryLine } from './report.js';
import { runChaos, Teardown } from './run.js';
import { readChaosScenario } from './scenario.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const teardown = new Teardown();

// Ctrl-C or a kill of the harness still stops the deployment, MariaDB and Redis it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`chaos: ${signal}, stopping everything the run started`);
    void teardown.run().finally(() => process.exit(130));
  });
}

const program = new Command('chaos')
  .description('bring up a deployment on its own MariaDB and Redis, boot and churn servers while killing parts on a schedule, check the invariants; exit 1 if one broke')
  .argument('<scenario>', 'a YAML chaos scenario (ops/chaos/scenarios/*.yaml)')
  .option('--no-progress', 'no progress bar')
  .option('--keep', 'leave the deployment, MariaDB and Redis running afterwards')
  .option('--seed <n>', 'seed of the jitter (repeats a run)', (v) => Number(v))
  .action(async (file: string, flags: { progress: boolean; keep?: boolean; seed?: number }) => {
    const scenario = readChaosScenario(resolve(file));
    if (flags.keep) scenario.deployment.keep = true;
    if (flags.seed !== undefined && Number.isInteger(flags.seed) && flags.seed > 0) scenario.seed = flags.seed;
    const say = (line: string): void => console.log(line);
    try {
      const result = await runChaos(scenario, { root, progress: flags.progress && process.stdout.isTTY, say }, teardown);
      const files = writeOutput(root, `chaos-${scenario.name}`, result, chaosReport(result), 'ops/chaos/out');
      for (const failure of result.failures) console.log(`FAILED: ${failure}`);
      console.log(`result: ${files.json}`);
      console.log(`report: ${files.html ?? ''}`);
      console.log(summaryLine(result));
      if (!result.pass) process.exitCode = 1;
    } finally {
      if (scenario.deployment.keep) console.log(`left running (--keep): state in ${resolve(root, scenario.deployment.state_dir)}`);
      else await teardown.run();
    }
  });

try {
  await program.parseAsync();
} catch (err) {
  console.error(`chaos: ${errorMessage(err)}`);
  process.exitCode = 1;
}
