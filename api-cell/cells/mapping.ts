import type { CellMappingRow } from '../db/index.js';

/** Nova's well-known uuid for cell0, the cell of instances that were never scheduled. */
export const CELL0_UUID = '00000000-0000-0000-0000-000000000000';
export const CELL0_NAME = 'cell0';
/** cell0 has no bus: nothing runs there. */
export const CELL0_TRANSPORT_URL = 'none:///';

/** A cell as the API database records it. */
export interface CellMapping {
  id: number;
  uuid: string;
  name: string;
  transportUrl: string;
  databaseUrl: string;
  disabled: boolean;
}

export function toCellMapping(row: CellMappingRow): CellMapping {
  return {
    id: Number(row.id),
    uuid: row.uuid,
    name: row.name,
    transportUrl: row.transport_url,
    databaseUrl: row.database_url,
    disabled: Boolean(row.disabled),
  };
}

export function isCell0(cell: Pick<CellMapping, 'uuid'>): boolean {
  return cell.uuid === CELL0_UUID;
}
