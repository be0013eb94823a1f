export { serviceCatalog, type CatalogEntry } from './catalog.js';
export { IdentityService, type AuthRequest } from './service.js';
export {
  assignRole,
  bootstrapIdentity,
  createProject,
  createUser,
  DEFAULT_DOMAIN,
  ensureIdentityDefaults,
  findProject,
  findRole,
  findUser,
  listProjects,
  listRoles,
  listUsers,
  rolesOn,
  setPassword,
  unassignRole,
  type Bootstrap,
  type Project,
  type Role,
  type User,
} from './store.js';
export { TokenSigner, type TokenClaims } from './tokens.js';
