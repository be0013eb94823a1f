import type { Router, RouterContext } from '@koa/router';
import type { Logger } from '../../ops/runtime/index.js';
import type { CellWatch } from './cells/watch.js';
import type { OpenStackClient } from './client.js';
import type { Fleet } from './fleet.js';
import type { Sessions, Viewer } from './session.js';

export interface DashboardState {
  viewer?: Viewer;
  /** The posted form's fields (application/x-www-form-urlencoded). */
  form: Record<string, string>;
}

export type DashboardRouter = Router<DashboardState>;
export type DashboardContext = RouterContext<DashboardState>;

/** What the pages reach: the deployment's APIs, the sessions, the cells' probes. */
export interface DashboardDeps {
  api: OpenStackClient;
  sessions: Sessions;
  cells: CellWatch;
  fleet: Fleet;
  log: Logger;
}

/** The signed-in viewer; the session middleware lets no request without one reach a page. */
export function viewerOf(ctx: DashboardContext): Viewer {
  const viewer = ctx.state.viewer;
  if (!viewer) throw new Error('page reached without a session');
  return viewer;
}
