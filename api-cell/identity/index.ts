export { serviceCatalog, type CatalogEntry } from './catalog.js';
export { IdentityService, type AuthRequest } from './service.js';
export {
  assignRole,
  authenticate,
  bootstrapIdentity,
  createProject,
  createUser,
  DEFAULT_DOMAIN,
  ensureIdentityDefaults,
  findDomain,
  findProject,
  findRole,
  findUser,
  listDomains,
  listProjects,
  listRoles,
  listUsers,
  projectsOf,
  rolesOn,
  setPassword,
  unassignRole,
  type Bootstrap,
  type Domain,
  type Project,
  type Role,
  type User,
} from './store.js';
export { TokenSigner, type TokenClaims } from './tokens.js';
