import { encodeListCursor } from '../../graph/paging.js';
import type { ScimQuery, ScimResourceRecord } from '../../graph/scim-resources.js';
import { readListQuery, readRootCursor, type ListParameters } from '../list-query.js';
import type { ResourceType } from '../patch/index.js';
import { renderResource } from '../render.js';
import { badRequest } from '../scim-error.js';
import { listResponse, selectionOf, type OperationContext, type ScimReply } from './operations.js';

/**
 * POST /.search at the root (RFC 7644 §3.4.3): Users in id order, then Groups in id order, as one list paged by
 * startIndex or by RFC 9865 cursor.
 */
export async function searchAll(context: OperationContext, params: ListParameters): Promise<ScimReply> {
  if (params.sortBy !== undefined) throw badRequest('invalidValue', 'a search across resource types does not support "sortBy"');
  const selection = selectionOf(params);
  // Read for each type as /Users and /Groups read them, so the same parameters are refused the same way; the
  // root's own cursor is read below.
  const render = (record: ScimResourceRecord) => renderResource(record, context.baseUrl);
  const listParams = params.cursor === undefined ? params : { ...params, cursor: '' };
  const users = readListQuery('User', listParams, render);
  const groups = readListQuery('Group', listParams, render);
  if (params.cursor !== undefined) {
    const after = params.cursor === '' ? undefined : readRootCursor(params.cursor);
    const { records, total, nextCursor } = await cursorPage(context, users.query, groups.query, after);
    return { status: 200, eventType: 'search', body: await listResponse(context, selection, records, total, { nextCursor }) };
  }
  const { records, total } = await indexPage(context, users.query, groups.query);
  return { status: 200, eventType: 'search', body: await listResponse(context, selection, records, total, { startIndex: users.startIndex }) };
}

/**
 * The page after `after` (the type and id of the previous page's last resource): each type is read from there
 * by id, with one extra row to tell whether more remain, so a page costs the same however deep it is.
 */
async function cursorPage(
  context: OperationContext,
  users: ScimQuery,
  groups: ScimQuery,
  after: { type: ResourceType; id: string } | undefined,
): Promise<{ records: ScimResourceRecord[]; total: number; nextCursor: string | undefined }> {
  const { store, sorId } = context;
  const count = users.count;
  const inGroups = after?.type === 'Group';
  const userPage = inGroups ? undefined : await store.queryScimResources(sorId, 'User', { ...users, count: count + 1, ...(after ? { afterId: after.id } : {}) });
  const records = userPage?.resources.slice(0, count) ?? [];
  const usersLeft = (userPage?.resources.length ?? 0) > count;
  const room = count - records.length;
  // While Users remain the Groups are only counted.
  const groupPage = await store.queryScimResources(sorId, 'Group', { ...groups, count: usersLeft ? 0 : room + 1, ...(inGroups ? { afterId: after.id } : {}) });
  records.push(...groupPage.resources.slice(0, room));
  const userTotal = userPage?.total ?? (await store.queryScimResources(sorId, 'User', { ...users, count: 0 })).total;
  const last = usersLeft || groupPage.resources.length > room ? records[records.length - 1] : undefined;
  return { records, total: userTotal + groupPage.total, nextCursor: last && encodeListCursor(last.resourceType, last.id) };
}

/** The window of startIndex and count over Users in id order followed by Groups in id order. */
async function indexPage(context: OperationContext, users: ScimQuery, groups: ScimQuery): Promise<{ records: ScimResourceRecord[]; total: number }> {
  const offset = users.offset ?? 0;
  const userPage = await context.store.queryScimResources(context.sorId, 'User', users);
  const groupQuery = { ...groups, offset: Math.max(0, offset - userPage.total), count: users.count - userPage.resources.length };
  const groupPage = await context.store.queryScimResources(context.sorId, 'Group', groupQuery);
  return { records: [...userPage.resources, ...groupPage.resources], total: userPage.total + groupPage.total };
}
