import type { ScimQuery, ScimResourceRecord, ScimSortKey } from '../graph/scim-resources.js';
import { InvalidCursorError, decodeCursor, decodeListCursor } from '../graph/paging.js';
import { sortValueOf } from '../graph/scim-rows.js';
import { checkFilter, matchesFilter, parseFilter, FilterSyntaxError, InvalidFilterError } from './filter/index.js';
import type { FilterNode } from './filter/ast.js';
import type { ResourceType } from './patch/index.js';
import { badRequest, ScimError } from './scim-error.js';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

/** The list parameters of RFC 7644 §3.4.2 and RFC 9865, from a query string or a POST /.search body. */
export interface ListParameters {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: string | number;
  count?: string | number;
  cursor?: string;
  attributes?: string;
  excludedAttributes?: string;
}

export interface ListQuery {
  query: ScimQuery;
  startIndex: number;
  cursorPaging: boolean;
  /** With sortBy: what a resource is ordered by, undefined when it has no value (it sorts last either way). */
  sortValue?: (record: ScimResourceRecord) => string | undefined;
}

export function readFilter(text: string): FilterNode {
  try {
    const filter = parseFilter(text);
    checkFilter(filter);
    return filter;
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw badRequest('invalidFilter', /position \d/.test(error.message) ? error.message : `${error.message} (at position ${error.position})`);
    }
    if (error instanceof InvalidFilterError) throw badRequest('invalidFilter', error.message);
    throw error;
  }
}

function integer(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : /^-?\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number)) throw badRequest('invalidValue', `"${name}" must be an integer`);
  return number;
}

const SORT_KEYS: Readonly<Record<string, ScimSortKey>> = {
  id: 'id',
  externalid: 'externalId',
  'meta.created': 'created',
  'meta.lastmodified': 'modified',
};

export function readListQuery(type: ResourceType, params: ListParameters, render: (record: ScimResourceRecord) => Record<string, unknown>): ListQuery {
  const filter = params.filter === undefined ? undefined : readFilter(params.filter);
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count means 0.
  const startIndex = Math.max(1, integer(params.startIndex, 'startIndex') ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, integer(params.count, 'count') ?? DEFAULT_COUNT));
  const sortOrder = params.sortOrder?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw badRequest('invalidValue', '"sortOrder" must be "ascending" or "descending"');
  }
  const cursorPaging = params.cursor !== undefined;
  if (cursorPaging && params.startIndex !== undefined) throw badRequest('invalidValue', '"cursor" and "startIndex" cannot be used together (RFC 9865)');
  if (cursorPaging && params.sortBy !== undefined) throw badRequest('invalidValue', 'cursor paging is ordered by id; "sortBy" cannot be used with "cursor"');
  // A cursor continues after an id in ascending order; descending, the second page would come back empty.
  if (cursorPaging && sortOrder === 'descending') throw badRequest('invalidValue', 'cursor paging is in ascending id order; "sortOrder" cannot be "descending" with "cursor"');
  const query: ScimQuery = { count, offset: startIndex - 1, descending: sortOrder === 'descending' };
  if (filter) {
    query.filter = filter;
    query.matches = (record, decided) => matchesFilter(render(record), filter, undefined, decided);
  }
  if (cursorPaging && params.cursor !== '') query.afterId = readCursor(params.cursor!);
  if (params.sortBy === undefined) return { query, startIndex, cursorPaging };
  return { query, startIndex, cursorPaging, sortValue: sortBy(query, type, params.sortBy, render) };
}

function sortBy(
  query: ScimQuery,
  type: ResourceType,
  sortBy: string,
  render: (record: ScimResourceRecord) => Record<string, unknown>,
): (record: ScimResourceRecord) => string | undefined {
  const path = sortBy.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '');
  const named = type === 'User' ? 'username' : 'displayname';
  const key = path === named ? 'name' : SORT_KEYS[path];
  if (key !== undefined) {
    query.sortBy = key;
    return (record) => sortValueOf(key, record);
  }
  // Any other attribute sorts in memory, by its (first) value; resources without one sort last (RFC 7644 §3.4.2.3).
  const filterPath = readFilter(`${sortBy} pr`);
  if (filterPath.kind !== 'present') throw badRequest('invalidValue', `cannot sort by "${sortBy}"`);
  const sign = query.descending ? -1 : 1;
  const valueOf = (record: ScimResourceRecord): string | undefined => sortValue(render(record), filterPath.path.normalized);
  query.compare = (a, b) => {
    const [x, y] = [valueOf(a), valueOf(b)];
    if (x === y) return a.id < b.id ? -sign : a.id > b.id ? sign : 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return x < y ? -sign : sign;
  };
  return valueOf;
}

function sortValue(resource: Record<string, unknown>, path: { schema?: string; attribute: string; subAttribute?: string }): string | undefined {
  const find = (object: unknown, name: string): unknown => {
    if (typeof object !== 'object' || object === null) return undefined;
    const entries = Array.isArray(object) ? object.flatMap((element) => Object.entries(element as object)) : Object.entries(object);
    return entries.find(([key]) => key.toLowerCase() === name)?.[1];
  };
  let value: unknown = path.schema !== undefined && !path.schema.includes(':core:') ? find(resource, path.schema) : resource;
  value = find(value, path.attribute);
  if (path.subAttribute !== undefined) value = find(value, path.subAttribute);
  else if (Array.isArray(value)) value = find(value, 'value');
  return value === undefined || value === null ? undefined : String(value).toLowerCase();
}

const invalidCursor = () => new ScimError(400, 'the cursor is not one this service issued', 'invalidCursor');

/** SCIM ids are UUIDs and never hold NUL, which separates the type from the id in a root search cursor. */
function readCursor(cursor: string): string {
  const id = decoded(() => decodeCursor(cursor));
  if (id.includes('\u0000')) throw invalidCursor();
  return id;
}

/** A cursor of POST /.search at the root: the type and id of the last resource of the previous page. */
export function readRootCursor(cursor: string): { type: ResourceType; id: string } {
  const { list, lastId } = decoded(() => decodeListCursor(cursor));
  if (list !== 'User' && list !== 'Group') throw invalidCursor();
  return { type: list, id: lastId };
}

function decoded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidCursor();
    throw error;
  }
}
