import { apiSchemaStatus, type ApiDatabase } from '../../api-cell/db/index.js';
import { CellRegistry, isCell0, type CellContext, type CellMapping } from '../../api-cell/cells/index.js';
import { cellSchemaStatus, computeHosts } from '../../child-cell/db/index.js';
import { networkDatabaseUrl, networkSchemaStatus, openNetworkDatabase } from '../../api-cell/network/index.js';
import { errorMessage, maskUrl, pingBus, pingRedis, type Config } from '../runtime/index.js';
import { pingDatabase } from '../runtime-db/index.js';
import { openVolumeDatabase, volumeSchemaStatus } from '../../api-cell/volume/index.js';

export type CheckResult = 'pass' | 'warn' | 'fail';

export interface StatusCheck {
  result: CheckResult;
  title: string;
  detail: string;
}

const pass = (title: string, detail: string): StatusCheck => ({ result: 'pass', title, detail });
const warn = (title: string, detail: string): StatusCheck => ({ result: 'warn', title, detail });
const fail = (title: string, detail: string): StatusCheck => ({ result: 'fail', title, detail });

/** The checks an operator runs first (nova-status upgrade check, for a cells deployment). */
export async function runStatusChecks(config: Config, api: ApiDatabase, registry: CellRegistry): Promise<StatusCheck[]> {
  const redis = await checkRedis(config.redis.url);
  try {
    await pingDatabase(api.sequelize, api.url);
  } catch (err) {
    return [fail('API database', errorMessage(err)), redis];
  }
  const checks: StatusCheck[] = [pass('API database', `reachable at ${maskUrl(api.url)}`)];
  const schema = await apiSchemaStatus(api);
  checks.push(
    schema.pending.length === 0
      ? pass('API database schema', `at the latest migration (${schema.applied.at(-1) ?? 'none'})`)
      : fail('API database schema', `${schema.pending.length} migrations pending; run \`cellctl db sync\``),
  );
  checks.push(await checkNetworkDatabase(config));
  checks.push(await checkVolumeDatabase(config));
  const cells = await registry.list();
  checks.push(cells.some(isCell0) ? pass('cell0', 'mapped') : fail('cell0', 'not mapped; run `cellctl cell map-cell0`'));
  const children = cells.filter((c) => !isCell0(c));
  checks.push(
    children.length > 0
      ? pass('cells', `${children.length} child cells (${children.filter((c) => c.disabled).length} disabled)`)
      : fail('cells', 'no child cell is mapped; run `cellctl cell create`'),
  );
  checks.push(...(await checkCells(cells, api, registry)), redis, await checkApi(config));
  return checks;
}

/** The network service's database: reachable and migrated. */
async function checkNetworkDatabase(config: Config): Promise<StatusCheck> {
  const db = openNetworkDatabase(networkDatabaseUrl(config), { poolMax: 1, connectTimeoutMs: config.database.connect_timeout_ms });
  try {
    await pingDatabase(db.sequelize, db.url);
    const schema = await networkSchemaStatus(db);
    return schema.pending.length === 0
      ? pass('network database', `reachable at ${maskUrl(db.url)}, at the latest migration (${schema.applied.at(-1) ?? 'none'})`)
      : fail('network database', `${schema.pending.length} migrations pending; run \`cellctl db sync\``);
  } catch (err) {
    return fail('network database', errorMessage(err));
  } finally {
    await db.close();
  }
}

/** Does the Compute API answer its health check, and how many of its workers listen? */
async function checkApi(config: Config): Promise<StatusCheck> {
  const url = `${(config.api.public_url || `http://${config.api.listen}`).replace(/\/$/, '')}/healthcheck`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) return fail('Compute API', `${url} answers ${res.status}`);
    const workers = res.headers.get('x-cellstack-api-workers');
    if (!workers) return pass('Compute API', `answers at ${url} (one process)`);
    const [listening, wanted] = workers.split('/').map(Number);
    const detail = `answers at ${url}; ${listening} of ${wanted} workers listening`;
    return listening === wanted ? pass('Compute API', detail) : warn('Compute API', `${detail} (a dead one is being replaced)`);
  } catch (err) {
    return warn('Compute API', `does not answer at ${url}: ${errorMessage((err as { cause?: unknown }).cause ?? err)}`);
  }
}

/** The volume service's own database: reachable and migrated. */
async function checkVolumeDatabase(config: Config): Promise<StatusCheck> {
  const db = openVolumeDatabase(config.volume.database_url, { poolMax: 1 });
  try {
    await pingDatabase(db.sequelize, db.url);
    const schema = await volumeSchemaStatus(db);
    return schema.pending.length === 0
      ? pass('volume database', `reachable at ${maskUrl(db.url)}, at the latest migration (${schema.applied.at(-1) ?? 'none'})`)
      : fail('volume database', `${schema.pending.length} migrations pending; run \`cellctl db sync\``);
  } catch (err) {
    return fail('volume database', errorMessage(err));
  } finally {
    await db.close();
  }
}

async function checkRedis(url: string): Promise<StatusCheck> {
  try {
    await pingRedis(url);
    return pass('Redis', `reachable at ${maskUrl(url)}`);
  } catch (err) {
    return fail('Redis', errorMessage(err));
  }
}

interface CellHealth {
  checks: StatusCheck[];
  hosts: string[];
}

async function checkCells(cells: CellMapping[], api: ApiDatabase, registry: CellRegistry): Promise<StatusCheck[]> {
  const answers = await registry.scatterGather(cells, async (context): Promise<CellHealth> => {
    const [database, bus] = await Promise.all([
      checkCellDatabase(context),
      isCell0(context.cell) ? undefined : checkBus(context.cell),
    ]);
    return { checks: bus ? [database.check, bus] : [database.check], hosts: database.hosts };
  });
  const checks: StatusCheck[] = [];
  const found: string[] = [];
  for (const answer of answers) {
    if (answer.status === 'ok') {
      checks.push(...answer.value.checks);
      found.push(...answer.value.hosts);
    } else {
      const why = answer.status === 'timeout' ? 'did not answer in time' : errorMessage(answer.error);
      checks.push(fail(`cell ${answer.cell.name}`, why));
    }
  }
  checks.push(await checkUnmappedHosts(api, found));
  return checks;
}

async function checkCellDatabase({ cell, db }: CellContext): Promise<{ check: StatusCheck; hosts: string[] }> {
  const title = `cell ${cell.name} database`;
  try {
    await pingDatabase(db.sequelize, cell.databaseUrl);
  } catch (err) {
    return { check: fail(title, errorMessage(err)), hosts: [] };
  }
  const schema = await cellSchemaStatus(db);
  if (schema.pending.length > 0) {
    return { check: fail(title, `${schema.pending.length} migrations pending; run \`cellctl db sync --cells\``), hosts: [] };
  }
  const hosts = isCell0(cell) ? [] : await computeHosts(db);
  return { check: pass(title, `reachable, schema at ${schema.applied.at(-1) ?? 'none'}`), hosts };
}

async function checkBus(cell: CellMapping): Promise<StatusCheck> {
  const title = `cell ${cell.name} bus`;
  try {
    await pingBus(cell.transportUrl);
    return pass(title, `reachable at ${maskUrl(cell.transportUrl)}`);
  } catch (err) {
    return fail(title, errorMessage(err));
  }
}

async function checkUnmappedHosts(api: ApiDatabase, hosts: string[]): Promise<StatusCheck> {
  const mapped = new Set((await api.models.HostMapping.findAll({ attributes: ['host'] })).map((m) => m.host));
  const unmapped = hosts.filter((h) => !mapped.has(h));
  if (unmapped.length === 0) return pass('compute hosts', `${hosts.length} found, all mapped`);
  const sample = unmapped.slice(0, 5).join(', ') + (unmapped.length > 5 ? ', ...' : '');
  return warn('compute hosts', `${unmapped.length} not mapped to a cell (${sample}); run \`cellctl host discover\``);
}

/** nova-status's exit codes: 0 all passed, 1 a warning, 2 a failure. */
export function statusExitCode(checks: StatusCheck[]): number {
  if (checks.some((c) => c.result === 'fail')) return 2;
  return checks.some((c) => c.result === 'warn') ? 1 : 0;
}
