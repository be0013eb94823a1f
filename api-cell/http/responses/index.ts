export { dateTime, links, nullable, strict } from './common.js';
export { diagnosticsResponse, instanceActionResponse, instanceActionsResponse, versionResponse, versionsResponse } from './resources.js';
export { serverCreateResponse, serverDetailListResponse, serverListResponse, serverRebuildResponse, serverShowResponse, serverUpdateResponse } from './servers.js';
export { responseSchemaOf } from './routes.js';
export * as computeResponses from './compute.js';
