import { InvalidInputError } from '../../ops/runtime/index.js';

/** ISO 8601 as Nova's date-time query format takes it: a date, a time to the minute or finer, an optional zone. */
const iso8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/** A changes-since / changes-before value (UTC unless it names a zone); anything else is a 400. */
export function queryTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!iso8601.test(trimmed)) throw new InvalidInputError(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(trimmed.slice(10)) ? trimmed : `${trimmed}${trimmed.length > 10 ? 'Z' : 'T00:00:00Z'}`;
  const ms = Date.parse(withZone.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new InvalidInputError(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
  return new Date(ms);
}

/**
 * The first instant after what `value` names: times are kept to the microsecond but shown to the
 * second, so a changes-before a client was shown covers that whole second (to the millisecond
 * when it gives a fraction).
 */
export function endOf(value: string, at: Date): Date {
  const time = value.trim().slice(10);
  const step = time === '' || /\.\d+/.test(time) ? 1 : /^.\d{2}:\d{2}:\d{2}/.test(time) ? 1000 : 60_000;
  return new Date(at.getTime() + step);
}
