import { BaseError as SequelizeError } from 'sequelize';
import { CellstackError, errorMessage } from '../runtime/index.js';
import { describeDbError } from '../runtime-db/index.js';
import { CliContext } from './context.js';

export type Action<A extends unknown[]> = (context: CliContext, ...args: A) => Promise<number | void>;

/**
 * Wraps a command: builds its context, turns any failure into one line on stderr and a
 * non-zero exit, and always closes what the command opened.
 */
export function command<A extends unknown[]>(configFile: () => string | undefined, action: Action<A>) {
  return async (...args: A): Promise<void> => {
    const context = new CliContext(configFile());
    try {
      const code = await action(context, ...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      console.error(`cellctl: ${explain(err)}`);
      process.exitCode = err instanceof CellstackError && err.code === 'invalid_input' ? 2 : 1;
      if (process.env['CELLCTL_DEBUG']) console.error(err);
    } finally {
      // Closing connections on the way out: the command's own outcome is already set.
      await context.close().catch(() => undefined);
    }
  };
}

function explain(err: unknown): string {
  if (err instanceof SequelizeError) {
    const text = describeDbError(err);
    if (/doesn't exist/.test(text)) return `${text} (has \`cellctl db sync\` been run?)`;
    return text;
  }
  return errorMessage(err);
}
