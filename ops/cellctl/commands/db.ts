import type { Command } from 'commander';
import { isCell0 } from '../../../api-cell/cells/index.js';
import { syncApiDatabase } from '../../../api-cell/db/index.js';
import { networkDatabaseUrl, syncNetworkDatabase } from '../../../api-cell/network/index.js';
import { syncCellDatabase } from '../../../child-cell/db/index.js';
import { syncVolumeDatabase } from '../../../api-cell/volume/index.js';
import { errorMessage, maskUrl } from '../../runtime/index.js';
import type { CliContext } from '../context.js';
import type { command as Wrap } from '../run.js';

export function registerDbCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  const db = program.command('db').description('create and migrate the databases');
  db.command('sync')
    .description('migrate the API, network and volume databases, or with --cells cell0 and every mapped cell')
    .option('--cells', 'migrate the cell databases instead of the API, network and volume databases')
    .action(wrap(configFile, (ctx: CliContext, options: { cells?: boolean }) => (options.cells ? syncCells(ctx) : syncApi(ctx))));
}

async function syncApi(ctx: CliContext): Promise<number> {
  const url = ctx.config.database.api_url;
  const result = await syncApiDatabase(url, ctx.databaseOptions());
  report(`API database ${maskUrl(url)}`, result);
  const networkUrl = networkDatabaseUrl(ctx.config);
  report(`network database ${maskUrl(networkUrl)}`, await syncNetworkDatabase(networkUrl, ctx.databaseOptions()));
  const volumeUrl = ctx.config.volume.database_url;
  report(`volume database ${maskUrl(volumeUrl)}`, await syncVolumeDatabase(volumeUrl, ctx.databaseOptions()));
  return 0;
}

async function syncCells(ctx: CliContext): Promise<number> {
  const cells = await ctx.registry.list();
  if (cells.length === 0) {
    console.log('no cells are mapped yet: run `cellctl cell map-cell0` and `cellctl cell create` first');
    return 1;
  }
  let failed = 0;
  // cell0 first, then children in order; each cell on its own so one bad cell does not stop the rest.
  for (const cell of [...cells.filter(isCell0), ...cells.filter((c) => !isCell0(c))]) {
    try {
      report(`cell ${cell.name} (${maskUrl(cell.databaseUrl)})`, await syncCellDatabase(cell.databaseUrl, ctx.databaseOptions()));
    } catch (err) {
      failed += 1;
      console.log(`cell ${cell.name}: FAILED: ${errorMessage(err)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

function report(what: string, result: { created: boolean; applied: string[] }): void {
  const parts = [];
  if (result.created) parts.push('created the database');
  parts.push(result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'already at the latest migration');
  console.log(`${what}: ${parts.join('; ')}`);
}
