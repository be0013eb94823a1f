export { admitMembers, groupSpecOf, groupsOf, lockGroupMembers, removeGroupMembers, type GroupMemberCounts } from './membership.js';
export {
  createServerGroup,
  deleteServerGroup,
  findServerGroup,
  listServerGroups,
  type GroupListQuery,
  type NewServerGroup,
  type ServerGroup,
} from './store.js';
