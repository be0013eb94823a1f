import type { Vif } from '../network/index.js';
import type { CellMapping } from '../cells/index.js';
import type { InstanceDetail } from '../../child-cell/db/index.js';
import type { FlavorSnapshot, Instance } from '../../child-cell/instance/index.js';

/** What the API knows of a server whose cell does not answer: its mapping and its request spec. */
export interface PartialServer {
  uuid: string;
  project_id: string;
  user_id: string | null;
  created_at: Date;
  flavor: FlavorSnapshot | null;
  image_ref: string | null;
  availability_zone: string | null;
}

/** Facts a view may need beyond the instance row, gathered once for a page of servers. */
export interface ServerExtras {
  /** UP, DOWN, MAINTENANCE, UNKNOWN or "" (no host): what its compute service says. */
  hostStatus?: string;
  /** Its volumes (os-extended-volumes:volumes_attached), boot disk first. */
  volumesAttached?: { id: string; delete_on_termination: boolean }[];
  /** Uuids of the server groups it belongs to. */
  serverGroups?: string[];
  /** From its request spec (2.98): the image's properties at boot. */
  imageProperties?: Record<string, string>;
  /** From its request spec (2.100): the scheduler hints given at create. */
  schedulerHints?: Record<string, unknown[]>;
  /** Its ports, from the network service: `addresses` and `security_groups`. */
  interfaces?: Vif[];
}

/** A server as the API finds it: still a build request, an instance in a cell, or a row in a cell that is down. */
export type ServerRecord =
  | { source: 'build'; instance: Instance; created: Date; extras?: ServerExtras }
  | { source: 'cell'; cell: CellMapping; instance: InstanceDetail; extras?: ServerExtras }
  | { source: 'down'; cell: CellMapping; partial: PartialServer; extras?: ServerExtras };

export const recordUuid = (r: ServerRecord): string => (r.source === 'build' || r.source === 'cell' ? r.instance.uuid : r.partial.uuid);
export const recordProject = (r: ServerRecord): string => (r.source === 'down' ? r.partial.project_id : r.instance.project_id);
