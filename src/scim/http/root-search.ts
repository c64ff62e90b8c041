import type { ListParameters } from '../list-query.js';
import { badRequest } from '../scim-error.js';
import { LIST_RESPONSE } from './discovery.js';
import { listResources, type OperationContext, type ScimReply } from './operations.js';

/** POST /.search at the root (RFC 7644 §3.4.3): Users, then Groups, paged as one list. */
export async function searchAll(context: OperationContext, params: ListParameters): Promise<ScimReply> {
  if (params.cursor !== undefined || params.sortBy !== undefined) throw badRequest('invalidValue', 'a search across resource types supports neither "cursor" nor "sortBy"');
  const startIndex = Math.max(1, Number(params.startIndex ?? 1) || 1);
  const count = Math.max(0, Math.min(1000, Number(params.count ?? 100) || 0));
  const users = await listResources(context, 'User', { ...params, startIndex, count });
  const usersBody = users.body as { totalResults: number; Resources: unknown[] };
  const groupStart = Math.max(1, startIndex - usersBody.totalResults);
  const groups = await listResources(context, 'Group', { ...params, startIndex: groupStart, count: count - usersBody.Resources.length });
  const groupsBody = groups.body as { totalResults: number; Resources: unknown[] };
  const resources = [...usersBody.Resources, ...groupsBody.Resources];
  return {
    status: 200,
    eventType: 'search',
    body: { schemas: [LIST_RESPONSE], totalResults: usersBody.totalResults + groupsBody.totalResults, startIndex, itemsPerPage: resources.length, Resources: resources },
  };
}
