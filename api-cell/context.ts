/** Who is calling and which request this is; every log line of the request carries its id. */
export interface RequestContext {
  requestId: string;
  userId: string;
  projectId: string;
  roles: string[];
  isAdmin: boolean;
}

/** May the caller see and act on a resource of `projectId`? Others' resources are simply not found. */
export function canAccessProject(context: RequestContext, projectId: string): boolean {
  return context.isAdmin || context.projectId === projectId;
}
