import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One JSON object a line on standard output. `service` names the process kind; callers add
 * `request_id`, `cell` and the like with `logger.child()`.
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['password', '*.password', 'token', '*.token', 'adminPass'], censor: '****' },
  });
}

/** A logger that writes nothing, for library code run without a process around it. */
export const silentLogger: Logger = pino({ level: 'silent' });
