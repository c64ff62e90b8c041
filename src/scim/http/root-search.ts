import { encodeListCursor } from '../../graph/paging.js';
import type { ScimQuery, ScimResourceRecord } from '../../graph/scim-resources.js';
import { readListQuery, readRootCursor, type ListParameters } from '../list-query.js';
import type { ResourceType } from '../patch/index.js';
import { renderResource } from '../render.js';
import { badRequest } from '../scim-error.js';
import { listResponse, selectionOf, type OperationContext, type ScimReply } from './operations.js';

/**
 * How deep (startIndex + count - 1) a sorted search across resource types may reach: each type is read that far
 * and the two merged, so the cost grows with the depth, unlike a cursor page's.
 */
export const MAX_SORTED_DEPTH = 10_000;

/**
 * POST /.search at the root (RFC 7644 §3.4.3): Users in id order, then Groups in id order, as one list paged by
 * startIndex or by RFC 9865 cursor; or, with sortBy, both types merged in that order and paged by startIndex.
 */
export async function searchAll(context: OperationContext, params: ListParameters): Promise<ScimReply> {
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
  const { records, total } =
    users.sortValue && groups.sortValue
      ? await sortedPage(context, { query: users.query, valueOf: users.sortValue }, { query: groups.query, valueOf: groups.sortValue })
      : await indexPage(context, users.query, groups.query);
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

interface SortedType {
  query: ScimQuery;
  valueOf: (record: ScimResourceRecord) => string | undefined;
}

/**
 * The window of startIndex and count over both types ordered by sortBy: the first startIndex + count - 1 of each,
 * merged. A Group has no userName and a User may have no displayName; those without a value sort last in both
 * orders (RFC 7644 §3.4.2.3), and ties go by id, then User before Group (reversed when descending).
 */
async function sortedPage(context: OperationContext, users: SortedType, groups: SortedType): Promise<{ records: ScimResourceRecord[]; total: number }> {
  const offset = users.query.offset ?? 0;
  const count = users.query.count;
  const depth = count === 0 ? 0 : offset + count;
  if (depth > MAX_SORTED_DEPTH) {
    throw badRequest(
      'tooMany',
      `a search across Users and Groups with "sortBy" reaches at most ${MAX_SORTED_DEPTH} resources deep (startIndex + count - 1); narrow the filter, search /Users or /Groups alone, or page with "cursor" instead of "sortBy"`,
    );
  }
  const read = async (type: ResourceType, { query, valueOf }: SortedType) => {
    const page = await context.store.queryScimResources(context.sorId, type, { ...query, offset: 0, count: depth });
    return { total: page.total, sorted: page.resources.map((record) => ({ record, value: valueOf(record) })) };
  };
  const [userList, groupList] = [await read('User', users), await read('Group', groups)];
  const merged = merge(userList.sorted, groupList.sorted, compareAcrossTypes(users.query.descending === true));
  return { records: merged.slice(offset, depth).map(({ record }) => record), total: userList.total + groupList.total };
}

type Sorted = { record: ScimResourceRecord; value: string | undefined };

function compareAcrossTypes(descending: boolean): (a: Sorted, b: Sorted) => number {
  const sign = descending ? -1 : 1;
  return (a, b) => {
    if (a.value !== b.value) {
      if (a.value === undefined) return 1;
      if (b.value === undefined) return -1;
      return a.value < b.value ? -sign : sign;
    }
    if (a.record.id !== b.record.id) return a.record.id < b.record.id ? -sign : sign;
    return a.record.resourceType === b.record.resourceType ? 0 : a.record.resourceType === 'User' ? -sign : sign;
  };
}

/**
 * Two lists, each already in order, taken head by head: each keeps its own order, so even where the database
 * and JavaScript order strings differently a window holds the same resources on every request.
 */
function merge<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  const merged: T[] = [];
  let [i, j] = [0, 0];
  while (i < a.length && j < b.length) merged.push(compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  return merged.concat(a.slice(i), b.slice(j));
}
