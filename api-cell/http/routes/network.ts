import type Router from '@koa/router';
import { networkApiRouter } from '../../network/index.js';
import { authenticate } from '../middleware.js';
import type { ApiState } from '../state.js';
import type { ApiServices } from './services.js';

/** The Networking API v2.0 (`/network`, the catalog's network endpoint): see api-cell/network. */
export function networkRouter(services: ApiServices): Router<ApiState> {
  return networkApiRouter({ db: services.network, publicUrl: services.publicUrl }, authenticate(services.config, services.identity));
}
