import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One JSON object a line on standard output. `service` names the process kind; callers add
 * `request_id`, `cell` and the like with `logger.child()`.
 */
export function createLogger(service: string, level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', '*.password', 'token', '*.token', 'adminPass'], censor: '****' },
    },
    // Buffered: a busy process writes its lines a few KiB at a time, not one write per line.
    destination ?? bufferedStdout(),
  );
}

let stdout: ReturnType<typeof pino.destination> | undefined;

/** One buffered standard output per process, written out when the process exits (process.exit included). */
function bufferedStdout(): ReturnType<typeof pino.destination> {
  if (stdout) return stdout;
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  process.once('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // Not open yet, or stdout gone: nothing more can be written.
    }
  });
  stdout = stream;
  return stream;
}

/** A logger that writes nothing, for library code run without a process around it. */
export const silentLogger: Logger = pino({ level: 'silent' });
