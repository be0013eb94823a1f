export { ServerCreator, type CreateDeps, type CreateServerRequest, type CreateServerResult } from './create.js';
export { deleteServer, type DeleteDeps } from './delete.js';
export { getServer, notFound, type ServerRecord, type ShowDeps } from './show.js';
