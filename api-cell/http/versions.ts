import type Router from '@koa/router';
import { formatVersion, MAX_VERSION, MIN_VERSION } from './microversion.js';

export interface VersionLinks {
  publicUrl: string;
}

const mediaTypes = (minor: string) => [{ base: 'application/json', type: `application/vnd.openstack.compute+json;version=${minor}` }];

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

/** The legacy v2 API, which Nova still lists (without microversions) and describes at /v2. */
function v20(links: VersionLinks) {
  return {
    id: 'v2.0',
    status: 'SUPPORTED',
    version: '',
    min_version: '',
    updated: '2011-01-21T11:33:21Z',
    links: [{ rel: 'self', href: `${links.publicUrl}/v2/` }],
  };
}

/** Version discovery (GET /, GET /v2 and GET /v2.1), as clients use it to pick a microversion. */
export function registerVersionRoutes(router: Router, links: VersionLinks): void {
  // Nova answers the list with 200 (a 300 with "choices" is only for an unknown version path).
  router.get('/', (ctx) => {
    ctx.body = { versions: [v20(links), v21(links)] };
  });
  router.get(['/v2', '/v2/'], (ctx) => {
    ctx.body = { version: { ...v20(links), 'media-types': mediaTypes('2') } };
  });
  router.get(['/v2.1', '/v2.1/'], (ctx) => {
    ctx.body = { version: { ...v21(links), 'media-types': mediaTypes('2.1') } };
  });
}
