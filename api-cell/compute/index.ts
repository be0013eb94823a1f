export { ServerCreator, type CreateDeps, type CreateServerRequest, type CreateServerResult } from './create.js';
export { deleteServer, type DeleteDeps } from './delete.js';
export { cellDown, hostStatuses, partialServers, serverGroupsOf } from './extras.js';
export { recordProject, recordUuid, type PartialServer, type ServerExtras, type ServerRecord } from './records.js';
export { getServer, notFound, type ShowDeps, type ShowOptions } from './show.js';
export { filterSql, matchesBuild, statusStates, type ServerFilters } from './list-filters.js';
export { sortKeys, type SortKey } from './list-sql.js';
export { listServers, type ListDeps, type ListRequest } from './list.js';
