import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../../ops/runtime/index.js';
import { registerVersionRoutes } from './versions.js';

export interface AppDeps {
  publicUrl: string;
  log: Logger;
}

/** The Compute API as a Koa application. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  router.get('/healthcheck', (ctx) => {
    ctx.body = 'OK';
  });
  registerVersionRoutes(router, { publicUrl: deps.publicUrl });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
