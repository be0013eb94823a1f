import type { Command } from 'commander';
import {
  createCell,
  deleteCell,
  mapCell0,
  setCellDisabled,
  updateCell,
  type CellMapping,
} from '../../../api-cell/cells/index.js';
import { maskUrl, parseDatabaseUrl } from '../../runtime/index.js';
import type { CliContext } from '../context.js';
import { printRecord, printTable } from '../output.js';
import type { command as Wrap } from '../run.js';

type Json = { json?: boolean };

export function registerCellCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  const cell = program.command('cell').description('manage cell mappings (nova-manage cell_v2)');
  cell
    .command('create')
    .description('register a child cell; its database server and bus must answer')
    .requiredOption('--name <name>', 'unique cell name')
    .requiredOption('--transport-url <url>', "the cell's NATS server, nats://host:port")
    .requiredOption('--database-url <url>', "the cell's database, mysql://user:pass@host:port/name")
    .option('--uuid <uuid>', 'use this uuid instead of a new one')
    .option('--disabled', 'create it disabled: it takes no builds until enabled')
    .action(wrap(configFile, create));
  cell
    .command('map-cell0')
    .description('register cell0, where instances that were never scheduled are kept')
    .option('--database-url <url>', "cell0's database (default: the API database's name with _cell0)")
    .action(wrap(configFile, mapZero));
  cell.command('list').description('list cells, passwords masked').option('--json', 'print JSON').action(wrap(configFile, list));
  cell.command('show <cell>').description('show one cell by name or uuid').option('--json', 'print JSON').action(wrap(configFile, show));
  cell
    .command('update <cell>')
    .description("change a cell's name or URLs")
    .option('--name <name>', 'new name')
    .option('--transport-url <url>', 'new NATS URL')
    .option('--database-url <url>', 'new database URL')
    .action(wrap(configFile, update));
  cell.command('disable <cell>').description('stop scheduling new builds to a cell').action(wrap(configFile, disable(true)));
  cell.command('enable <cell>').description('let a disabled cell take builds again').action(wrap(configFile, disable(false)));
  cell
    .command('delete <cell>')
    .description('remove a cell mapping; refused while it holds hosts or instances')
    .option('--force', 'delete it and its host and instance mappings anyway')
    .action(wrap(configFile, remove));
}

function view(cell: CellMapping): Record<string, unknown> {
  return {
    name: cell.name,
    uuid: cell.uuid,
    transport_url: maskUrl(cell.transportUrl),
    database_url: maskUrl(cell.databaseUrl),
    disabled: cell.disabled,
  };
}

function printNotes(notes: string[]): void {
  for (const note of notes) console.log(`note: ${note}`);
}

async function create(
  ctx: CliContext,
  o: { name: string; transportUrl: string; databaseUrl: string; uuid?: string; disabled?: boolean },
): Promise<void> {
  const { cell, notes } = await createCell(ctx.api, {
    name: o.name,
    transportUrl: o.transportUrl,
    databaseUrl: o.databaseUrl,
    disabled: o.disabled ?? false,
    ...(o.uuid === undefined ? {} : { uuid: o.uuid }),
  });
  console.log(`created cell ${cell.name} (${cell.uuid})`);
  printNotes(notes);
}

async function mapZero(ctx: CliContext, o: { databaseUrl?: string }): Promise<void> {
  const url = o.databaseUrl ?? cell0UrlFor(ctx.config.database.api_url);
  const { cell, created, notes } = await mapCell0(ctx.api, url);
  console.log(`${created ? 'mapped' : 'cell0 already mapped to'} ${maskUrl(cell.databaseUrl)}`);
  printNotes(notes);
}

/** cellstack_api -> cellstack_cell0, on the same server with the same credentials. */
export function cell0UrlFor(apiUrl: string): string {
  const { database } = parseDatabaseUrl(apiUrl);
  const name = database.endsWith('_api') ? `${database.slice(0, -4)}_cell0` : `${database}_cell0`;
  const url = new URL(apiUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function list(ctx: CliContext, o: Json): Promise<void> {
  const cells = await ctx.registry.list();
  printTable(cells.map(view), ['name', 'uuid', 'transport_url', 'database_url', 'disabled'], o.json ?? false);
}

async function show(ctx: CliContext, key: string, o: Json): Promise<void> {
  printRecord(view(await ctx.registry.find(key)), o.json ?? false);
}

async function update(ctx: CliContext, key: string, o: { name?: string; transportUrl?: string; databaseUrl?: string }): Promise<void> {
  const { cell, notes } = await updateCell(ctx.api, ctx.registry, key, o);
  console.log(`updated cell ${cell.name} (${cell.uuid})`);
  printNotes(notes);
}

function disable(disabled: boolean) {
  return async (ctx: CliContext, key: string): Promise<void> => {
    const cell = await setCellDisabled(ctx.api, ctx.registry, key, disabled);
    console.log(`cell ${cell.name} is now ${disabled ? 'disabled' : 'enabled'}`);
  };
}

async function remove(ctx: CliContext, key: string, o: { force?: boolean }): Promise<void> {
  const { cell, hostMappings, instanceMappings } = await deleteCell(ctx.api, ctx.registry, key, o.force ?? false);
  const also = hostMappings + instanceMappings > 0 ? ` with ${hostMappings} host and ${instanceMappings} instance mappings` : '';
  console.log(`deleted cell ${cell.name} (${cell.uuid})${also}`);
}
