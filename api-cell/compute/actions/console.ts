import { NotFoundError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import type { ShowDeps } from '../show.js';
import { locate } from '../target.js';
import { askHost, type ActionDeps } from './cast.js';

/** Control characters other than tab and newline, which a terminal or a JSON viewer would mangle. */
const unprintable = /(?![\t\n])\p{Cc}/gu;

/**
 * os-getConsoleOutput: the guest's console log from its host, the last `length` lines of it
 * when asked (null or -1 for all of it). A server with no host yet is not ready (409); a host
 * whose hypervisor has no such guest has no console to show (404).
 */
export async function consoleOutput(deps: ShowDeps & ActionDeps, context: RequestContext, uuid: string, length: number | null): Promise<string> {
  const target = await locate(deps, context, uuid, 'os-getConsoleOutput');
  const answer = await askHost(deps, target, 'no console output', (client, host) => client.getConsoleOutput(host, uuid, context.requestId, deps.castTimeoutMs));
  if (!answer.found) throw new NotFoundError('Guest does not have a console available.');
  return tail(answer.output, length).replace(unprintable, '');
}

/**
 * The last `length` pieces of the log split at its newlines, joined again: Nova's tail, which
 * clients count the same way (a log ending in a newline ends in an empty piece).
 */
export function tail(output: string, length: number | null): string {
  if (length === null || length === -1) return output;
  if (length === 0) return '';
  return output.split('\n').slice(-length).join('\n');
}
