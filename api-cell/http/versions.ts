import type Router from '@koa/router';
import { formatVersion, MAX_VERSION, MIN_VERSION } from './microversion.js';


export interface VersionLinks {
  publicUrl: string;
}

function v21(links: VersionLinks) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: formatVersion(MAX_VERSION),
    min_version: formatVersion(MIN_VERSION),
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${links.publicUrl}/v2.1/` }],
  };
}

/** Version discovery (GET / and GET /v2.1), as clients use it to pick a microversion. */
export function registerVersionRoutes(router: Router, links: VersionLinks): void {
  router.get('/', (ctx) => {
    ctx.status = 300;
    ctx.body = { versions: [v21(links)] };
  });
  router.get(['/v2.1', '/v2.1/'], (ctx) => {
    ctx.body = {
      version: {
        ...v21(links),
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
      },
    };
  });
}
