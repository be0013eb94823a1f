import { InvalidArgumentError, type Command } from 'commander';
import { discoverHosts, listHostMappings, unmapHost } from '../../../api-cell/cells/index.js';
import type { CliContext } from '../context.js';
import { printTable } from '../output.js';
import type { command as Wrap } from '../run.js';

export function registerHostCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  const host = program.command('host').description('map compute hosts to cells');
  host
    .command('discover')
    .description('map compute hosts found in the cells that have no mapping yet')
    .option('--cell <cell>', 'look in this cell only')
    .option('--every <seconds>', 'keep looking, every this many seconds, until stopped (what scheduler.discover_hosts_in_cells_interval does in the super-conductor)', seconds)
    .action(wrap(configFile, discover));
  host
    .command('list')
    .description('list host mappings')
    .option('--cell <cell>', 'only hosts of this cell')
    .option('--json', 'print JSON')
    .action(wrap(configFile, list));
  host
    .command('unmap <host>')
    .description("remove a host's mapping; refused while it runs instances")
    .option('--force', 'unmap even if it runs instances')
    .action(wrap(configFile, unmap));
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
  return n;
}

async function discover(ctx: CliContext, o: { cell?: string; every?: number }): Promise<number> {
  if (o.every === undefined) return discoverOnce(ctx, o.cell);
  for (;;) {
    await discoverOnce(ctx, o.cell);
    await new Promise((done) => setTimeout(done, (o.every ?? 60) * 1000));
  }
}

async function discoverOnce(ctx: CliContext, cell: string | undefined): Promise<number> {
  const result = await discoverHosts(ctx.api, ctx.registry, cell);
  for (const m of result.mapped) console.log(`mapped host ${m.host} to cell ${m.cell}`);
  for (const c of result.conflicts) {
    console.log(`warning: host ${c.host} found in cell ${c.cell} is already mapped to cell ${c.mappedTo}`);
  }
  for (const name of result.unreachable) console.log(`warning: cell ${name} did not answer; its hosts were not looked at`);
  console.log(`${result.mapped.length} hosts mapped`);
  return result.unreachable.length > 0 ? 1 : 0;
}

async function list(ctx: CliContext, o: { cell?: string; json?: boolean }): Promise<void> {
  const hosts = await listHostMappings(ctx.api, ctx.registry, o.cell);
  printTable(hosts.map((h) => ({ host: h.host, cell: h.cell, cell_uuid: h.cellUuid })), ['host', 'cell', 'cell_uuid'], o.json ?? false);
}

async function unmap(ctx: CliContext, hostName: string, o: { force?: boolean }): Promise<void> {
  const m = await unmapHost(ctx.api, ctx.registry, hostName, o.force ?? false);
  console.log(`unmapped host ${m.host} from cell ${m.cell}`);
}
