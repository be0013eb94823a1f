/**
 * Subjects on a cell's bus. Each cell has its own NATS server; subjects carry the cell's uuid
 * anyway so that two cells sharing a server by mistake still never cross.
 */
export function conductorSubject(cellUuid: string): string {
  return `cellstack.${cellUuid}.conductor`;
}

/** The queue group every conductor of a cell joins, so they share its messages. */
export const CONDUCTOR_QUEUE = 'conductor';

export function computeSubject(cellUuid: string, host: string): string {
  return `cellstack.${cellUuid}.compute.${subjectToken(host)}`;
}

/** Host names may hold dots, which NATS reads as token separators: escape them (and wildcards). */
export function subjectToken(value: string): string {
  return value.replace(/[%.*> \t\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The binary name a compute service registers under: Nova's, which clients and operators filter by. */
export const COMPUTE_BINARY = 'nova-compute';
