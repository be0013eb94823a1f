import { createHash, randomUUID } from 'node:crypto';
import { ComputeClient } from '../../child-cell/compute/index.js';
import { findConsoleToken, getInstance, saveConsoleToken, type ConsoleToken } from '../../child-cell/db/index.js';
import { PowerState } from '../../child-cell/instance/index.js';
import { ConflictError, InvalidInputError } from '../../ops/runtime/index.js';
import { isCell0, type CellMapping } from '../cells/index.js';
import type { RequestContext } from '../context.js';
import type { ShowDeps } from './show.js';
import { locate } from './target.js';

export interface ConsoleDeps extends ShowDeps {
  publicUrl: string;
  tokenTtlSeconds: number;
  castTimeoutMs: number;
}

/** The consoles a fake hypervisor has: a browser page (noVNC's place) showing the guest's screen, its console. */
const served: Record<string, string[]> = { vnc: ['novnc'] };

/** Where the fake guest's "VNC server" would listen on its host. */
const VNC_PORT = 5900;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * A remote console of a running server: a token kept (hashed) in its cell for
 * api.console_token_ttl seconds and the URL that carries it. A server without a host or not
 * running is not ready (409); a console type the hypervisor does not serve is a 400.
 */
export async function createConsole(deps: ConsoleDeps, context: RequestContext, uuid: string, protocol: string, type: string): Promise<string> {
  const target = await locate(deps, context, uuid, `get_${protocol}_console`);
  if (!served[protocol]?.includes(type)) throw new InvalidInputError(`Unavailable console type ${type}.`);
  const { host, power_state: power } = target.instance;
  if (!host || power !== PowerState.RUNNING) throw new ConflictError(`Instance ${uuid} is not ready`);
  const token = randomUUID();
  const record: ConsoleToken = { instance_uuid: uuid, console_type: type, host, port: VNC_PORT, internal_access_path: null, expires: Date.now() + deps.tokenTtlSeconds * 1000 };
  await deps.registry.withCell(target.cell, ({ db }) => saveConsoleToken(db, hashOf(token), record));
  return `${deps.publicUrl}/console/?token=${token}`;
}

/** The unexpired token and its cell; every child cell is asked at once, one that does not answer skipped. */
export async function findConsole(deps: ShowDeps, token: string): Promise<{ cell: CellMapping; token: ConsoleToken } | undefined> {
  const cells = (await deps.registry.list()).filter((c) => !isCell0(c));
  const hash = hashOf(token);
  const answers = await deps.registry.scatterGather(cells, ({ db }) => findConsoleToken(db, hash));
  for (const a of answers) if (a.status === 'ok' && a.value) return { cell: a.cell, token: a.value };
  return undefined;
}

/** What the console shows now: the guest's console log, from the host the server is on now; null once it is gone. */
export async function consoleScreen(deps: ConsoleDeps, cell: CellMapping, token: ConsoleToken, requestId: string): Promise<string | null> {
  const instance = await deps.registry.withCell(cell, ({ db }) => getInstance(db, token.instance_uuid));
  if (!instance?.host) return null;
  const client = await ComputeClient.forCell(deps.registry, cell);
  const answer = await client.getConsoleOutput(instance.host, token.instance_uuid, requestId, deps.castTimeoutMs);
  return answer.found ? answer.output : null;
}
