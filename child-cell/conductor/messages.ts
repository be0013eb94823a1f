import { Type, type Static } from '@sinclair/typebox';

/**
 * The cell conductor's bus contract. History of versions:
 *   1: ping.
 * New fields must be optional so that an older peer still understands.
 */
export const CONDUCTOR_VERSION = 1;

export const PingArgs = Type.Object({}, { additionalProperties: true });
export type PingArgs = Static<typeof PingArgs>;

export interface PingResult {
  cell: string;
  pid: number;
  version: number;
}
