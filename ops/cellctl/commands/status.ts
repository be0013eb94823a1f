import type { Command } from 'commander';
import { maskUrl, sampleConfig } from '../../runtime/index.js';
import type { CliContext } from '../context.js';
import type { command as Wrap } from '../run.js';
import { runStatusChecks, statusExitCode } from '../status.js';

export function registerStatusCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  program
    .command('status')
    .description('check the deployment: exit 0 when all pass, 1 on a warning, 2 on a failure')
    .option('--json', 'print JSON')
    .action(wrap(configFile, status));
  const config = program.command('config').description('the configuration file');
  config.command('sample').description('print every key with its default and documentation').action(wrap(configFile, sample));
  config.command('show').description('print the configuration in effect').action(wrap(configFile, show));
}

async function status(ctx: CliContext, o: { json?: boolean }): Promise<number> {
  const checks = await runStatusChecks(ctx.config, ctx.api, ctx.registry);
  if (o.json) console.log(JSON.stringify(checks, null, 2));
  else for (const c of checks) console.log(`${c.result.toUpperCase().padEnd(4)}  ${c.title}: ${c.detail}`);
  return statusExitCode(checks);
}

async function sample(): Promise<void> {
  process.stdout.write(sampleConfig());
}

async function show(ctx: CliContext): Promise<void> {
  const masked = JSON.stringify(ctx.config, (key, value: unknown) =>
    typeof value === 'string' && key.endsWith('url') ? maskUrl(value) : value, 2);
  console.log(masked);
}
