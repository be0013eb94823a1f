export { serviceCatalog, type CatalogEntry } from './catalog.js';
export { IdentityService, type AuthRequest } from './service.js';
export {
  DEFAULT_DOMAIN,
  findDomain,
  findGroup,
  findProject,
  findRole,
  findUser,
  getDomain,
  listDomains,
  listGroups,
  listProjects,
  listRoles,
  listUsers,
  type Domain,
  type Extra,
  type Group,
  type Project,
  type Ref,
  type Role,
  type User,
} from './lookup.js';
export { createProject, deleteProject, projectsOf, updateProject, type ProjectChanges, type ProjectSpec } from './projects.js';
export { authenticate, changePassword, createUser, deleteUser, setPassword, updateUser, type UserChanges, type UserSpec } from './users.js';
export { createRole, deleteRole, rolesOn, updateRole } from './roles.js';
export {
  assignRole,
  checkGrant,
  grantedRoles,
  grantRole,
  listAssignments,
  revokeGrant,
  type ActorKind,
  type Assignment,
  type AssignmentFilter,
  type Grant,
  type TargetKind,
} from './assignments.js';
export { addGroupMember, checkGroupMember, createGroup, deleteGroup, groupMembers, groupsOf, removeGroupMember, updateGroup } from './groups.js';
export { createDomain, deleteDomain, updateDomain } from './domains.js';
export { bootstrapIdentity, ensureIdentityDefaults, type Bootstrap } from './bootstrap.js';
export { TokenSigner, type TokenClaims } from './tokens.js';
