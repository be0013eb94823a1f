import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { errorMessage } from '../runtime/index.js';
import { runReport } from './html.js';
import { writeOutput } from './output.js';
import { runScenario, type LoadTestResult } from './run.js';
import { readScenarioFile } from './scenario.js';
import { studyReport } from './study-html.js';
import { runStudy, type StudyResult } from './study.js';
import { summaryLines } from './summary.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const program = new Command('loadtest')
  .description('drive a cellstack deployment as a scenario file says and report per-cell load; stops by itself')
  .argument('<scenario>', 'a YAML scenario (ops/loadtest/scenarios/*.yaml): one run, or a study of several; or a JSON result, to write its HTML report again')
  .option('--no-progress', 'no progress bars')
  .option('--keep', 'leave the deployment running afterwards')
  .action(async (file: string, flags: { progress: boolean; keep?: boolean }) => {
    if (file.endsWith('.json')) {
      console.log(`report: ${rerender(resolve(file))}`);
      return;
    }
    const parsed = readScenarioFile(resolve(file));
    const options = { root, progress: flags.progress && process.stdout.isTTY, say: (line: string) => console.log(line) };
    if (parsed.kind === 'study') {
      await runStudy(parsed.study, options);
      return;
    }
    const scenario = parsed.scenario;
    if (flags.keep) scenario.deployment.keep = true;
    const result = await runScenario(scenario, options);
    const files = writeOutput(root, scenario.name, result, runReport(result));
    console.log(['', ...summaryLines(result), `result:         ${files.json}`, `report:         ${files.html ?? ''}`].join('\n'));
  });

/** Writes the HTML report of a JSON result (of a run or a study) beside it. */
function rerender(file: string): string {
  const result = JSON.parse(readFileSync(file, 'utf8')) as LoadTestResult | StudyResult;
  const html = 'layouts' in result ? studyReport(result) : runReport(result);
  const out = file.replace(/\.json$/, '.html');
  writeFileSync(out, html);
  return out;
}

try {
  await program.parseAsync();
} catch (err) {
  console.error(`loadtest: ${errorMessage(err)}`);
  process.exitCode = 1;
}
