import type { RequestSpec } from '../../api-cell/builds/index.js';

export function createAction(spec: RequestSpec): { request_id: string; user_id: string; project_id: string } {
  return { request_id: spec.request_id, user_id: spec.user_id, project_id: spec.project_id };
}
