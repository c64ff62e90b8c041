import type { ScimQuery, ScimResourceRecord } from '../../graph/scim-resources.js';
import { readListQuery, type ListParameters } from '../list-query.js';
import { renderResource } from '../render.js';
import { badRequest } from '../scim-error.js';
import { listResponse, selectionOf, type OperationContext, type ScimReply } from './operations.js';

/** POST /.search at the root (RFC 7644 §3.4.3): Users, then Groups, paged as one list. */
export async function searchAll(context: OperationContext, params: ListParameters): Promise<ScimReply> {
  if (params.cursor !== undefined || params.sortBy !== undefined) throw badRequest('invalidValue', 'a search across resource types supports neither "cursor" nor "sortBy"');
  const selection = selectionOf(params);
  // Read for each type as /Users and /Groups read them, so the same parameters are refused the same way.
  const render = (record: ScimResourceRecord) => renderResource(record, context.baseUrl);
  const users = readListQuery('User', params, render);
  const groups = readListQuery('Group', params, render);
  const { records, total } = await indexPage(context, users.query, groups.query);
  return { status: 200, eventType: 'search', body: await listResponse(context, selection, records, total, { startIndex: users.startIndex }) };
}

/** The window of startIndex and count over Users in id order followed by Groups in id order. */
async function indexPage(context: OperationContext, users: ScimQuery, groups: ScimQuery): Promise<{ records: ScimResourceRecord[]; total: number }> {
  const offset = users.offset ?? 0;
  const userPage = await context.store.queryScimResources(context.sorId, 'User', users);
  const groupQuery = { ...groups, offset: Math.max(0, offset - userPage.total), count: users.count - userPage.resources.length };
  const groupPage = await context.store.queryScimResources(context.sorId, 'Group', groupQuery);
  return { records: [...userPage.resources, ...groupPage.resources], total: userPage.total + groupPage.total };
}
