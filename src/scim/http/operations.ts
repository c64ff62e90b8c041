import { Readable } from 'node:stream';
import type { GraphOperation } from '../../graph/push-events.js';
import type { ScimMemberRecord, ScimResourceRecord } from '../../graph/scim-resources.js';
import type { GraphStore } from '../../graph/store.js';
import { encodeCursor } from '../../graph/paging.js';
import { applySelection, readSelection, selects, type AttributeSelection } from '../attribute-selection.js';
import { readListQuery, type ListParameters } from '../list-query.js';
import type { ResourceType } from '../patch/index.js';
import { ENTERPRISE_USER_SCHEMA } from '../patch/index.js';
import { notModified } from '../preconditions.js';
import { etagOf, locationOf, renderGroupOf, renderMember, renderResource } from '../render.js';
import { RESOURCE_TYPES } from '../resource-document.js';
import { checkSchemas, type SchemaChecks } from '../check-schemas.js';
import { requireBody, type ScimResources } from '../resources.js';
import { LIST_RESPONSE } from './discovery.js';

/** What one SCIM operation answers, and what the event log keeps about it. */
export interface ScimReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  subject?: string;
  eventType?: string;
  operations?: GraphOperation[];
  extracted?: unknown;
  /** What was let through to accept the request, for the request log. */
  notes?: string[];
}

export interface OperationContext {
  store: GraphStore;
  sorId: string;
  baseUrl: string;
  resources: ScimResources;
  schemaChecks: SchemaChecks;
}

export interface ReadOptions {
  attributes?: string;
  excludedAttributes?: string;
}

/** A Group's members are read this many at a time while its answer is streamed. */
const MEMBER_PAGE = 1000;
const SCHEMA_URNS = [RESOURCE_TYPES.User.schema, RESOURCE_TYPES.Group.schema, ENTERPRISE_USER_SCHEMA];

export function selectionOf(options: ReadOptions): AttributeSelection {
  return readSelection(options.attributes, options.excludedAttributes, SCHEMA_URNS);
}

/** A resource as answered: a User with its groups, a Group with its members (streamed page by page). */
async function present(context: OperationContext, record: ScimResourceRecord, selection: AttributeSelection): Promise<unknown> {
  const resource = renderResource(record, context.baseUrl);
  if (record.resourceType === 'User' && selects(selection, 'groups')) {
    const groups = await context.store.scimGroupsOf(context.sorId, record.id);
    if (groups.length > 0) resource.groups = groups.map((group) => renderGroupOf(group, context.baseUrl));
  }
  if (record.resourceType === 'Group' && selects(selection, 'members')) {
    return streamWithMembers(context, record, applySelection(resource, selection), selection);
  }
  return applySelection(resource, selection);
}

/** JSON of the group, its members written as they are read, so a 200,000-member group is never one array in memory. */
function streamWithMembers(context: OperationContext, record: ScimResourceRecord, resource: Record<string, unknown>, selection: AttributeSelection): Readable {
  const head = JSON.stringify(resource);
  const memberSelection = selection.mode === 'all' ? undefined : selection;
  const page = (after?: string) => context.store.listScimMembers(context.sorId, record.id, { limit: MEMBER_PAGE, ...(after === undefined ? {} : { afterValue: after }) });
  const json = (members: ScimMemberRecord[]) =>
    members
      .map((member) => {
        const rendered = renderMember(member);
        return JSON.stringify(memberSelection ? (applySelection({ members: [rendered] }, memberSelection).members as unknown[])[0] : rendered);
      })
      .join(',');
  // An empty multi-valued attribute is unassigned (RFC 7643 §2.5), so a group without members has no "members".
  async function* chunks(): AsyncGenerator<string> {
    let members = await page();
    if (members.length === 0) {
      yield head;
      return;
    }
    yield `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"members":[${json(members)}`;
    while (members.length === MEMBER_PAGE) {
      members = await page(members[members.length - 1]!.value);
      if (members.length > 0) yield `,${json(members)}`;
    }
    yield ']}';
  }
  return Readable.from(chunks());
}

/**
 * Members of each group on a list page, read whole: list pages are small, and Entra ID excludes members anyway.
 * A User's `groups` is returned by default (RFC 7643 §4.1.2, and /Schemas says so), in lists too: `groups` holds
 * those of every user of the page, read at once.
 */
async function presentListed(
  context: OperationContext,
  record: ScimResourceRecord,
  selection: AttributeSelection,
  groups: ReadonlyMap<string, { id: string; name: string }[]>,
): Promise<unknown> {
  const resource = renderResource(record, context.baseUrl);
  if (record.resourceType === 'Group' && selects(selection, 'members')) {
    const members: unknown[] = [];
    for (let after: string | undefined; ; ) {
      const page = await context.store.listScimMembers(context.sorId, record.id, { limit: MEMBER_PAGE, ...(after === undefined ? {} : { afterValue: after }) });
      members.push(...page.map(renderMember));
      if (page.length < MEMBER_PAGE) break;
      after = page[page.length - 1]!.value;
    }
    if (members.length > 0) resource.members = members;
  }
  const userGroups = record.resourceType === 'User' ? groups.get(record.id) : undefined;
  if (userGroups) resource.groups = userGroups.map((group) => renderGroupOf(group, context.baseUrl));
  return applySelection(resource, selection);
}

/** The groups of the page's users, when the selection returns them. */
async function groupsOfListed(context: OperationContext, records: readonly ScimResourceRecord[], selection: AttributeSelection): Promise<Map<string, { id: string; name: string }[]>> {
  const users = records.filter((record) => record.resourceType === 'User').map((record) => record.id);
  if (users.length === 0 || !selects(selection, 'groups')) return new Map();
  return context.store.scimGroupsOfEach(context.sorId, users);
}

function resourceHeaders(context: OperationContext, record: ScimResourceRecord): Record<string, string> {
  return { etag: etagOf(record), location: locationOf(context.baseUrl, record) };
}

function subjectOf(type: ResourceType, id: string): string {
  return `/${RESOURCE_TYPES[type].endpoint}/${id}`;
}

export async function createResource(context: OperationContext, type: ResourceType, body: unknown, read: ReadOptions): Promise<ScimReply> {
  const selection = selectionOf(read);
  const notes = checkSchemas(type, requireBody(body), context.schemaChecks);
  const { record, projection } = await context.resources.create(type, requireBody(body));
  return {
    ...(notes.length > 0 ? { notes } : {}),
    status: 201,
    body: await present(context, record, selection),
    headers: resourceHeaders(context, record),
    subject: subjectOf(type, record.id),
    eventType: `${type}.create`,
    operations: projection.operations,
    extracted: projection.extracted,
  };
}

export async function getResource(context: OperationContext, type: ResourceType, id: string, read: ReadOptions, ifNoneMatch?: string): Promise<ScimReply> {
  const selection = selectionOf(read);
  const record = await context.resources.get(type, id);
  const reply = { headers: resourceHeaders(context, record), subject: subjectOf(type, id), eventType: `${type}.read` };
  if (notModified(ifNoneMatch, record)) return { ...reply, status: 304 };
  return { ...reply, status: 200, body: await present(context, record, selection) };
}

export async function replaceResource(context: OperationContext, type: ResourceType, id: string, body: unknown, read: ReadOptions, ifMatch?: string): Promise<ScimReply> {
  const selection = selectionOf(read);
  const notes = checkSchemas(type, requireBody(body), context.schemaChecks);
  const { record, projection } = await context.resources.replace(type, id, requireBody(body), ifMatch);
  return {
    ...(notes.length > 0 ? { notes } : {}),
    status: 200,
    body: await present(context, record, selection),
    headers: resourceHeaders(context, record),
    subject: subjectOf(type, id),
    eventType: `${type}.replace`,
    operations: projection.operations,
    extracted: projection.extracted,
  };
}

/**
 * RFC 7644 §3.5.2: 200 with the resource, or 204. A Group answers 204 unless the client asked for attributes
 * (Entra ID expects 204; a 200,000-member body would be wasted); `Prefer: return=minimal` asks for 204 on any.
 */
export async function patchResource(
  context: OperationContext,
  type: ResourceType,
  id: string,
  body: unknown,
  read: ReadOptions,
  headers: { ifMatch?: string; prefer?: string },
): Promise<ScimReply> {
  const selection = selectionOf(read);
  const { record, projection } = await context.resources.patch(type, id, requireBody(body), headers.ifMatch);
  const minimal = /\breturn=minimal\b/i.test(headers.prefer ?? '') || (type === 'Group' && selection.mode === 'all' && !/\breturn=representation\b/i.test(headers.prefer ?? ''));
  const reply: ScimReply = {
    status: minimal ? 204 : 200,
    headers: resourceHeaders(context, record),
    subject: subjectOf(type, id),
    eventType: `${type}.patch`,
    operations: projection.operations,
    extracted: projection.extracted,
  };
  if (!minimal) reply.body = await present(context, record, selection);
  return reply;
}

export async function deleteResource(context: OperationContext, type: ResourceType, id: string, ifMatch?: string): Promise<ScimReply> {
  const projection = await context.resources.delete(type, id, ifMatch);
  return { status: 204, subject: subjectOf(type, id), eventType: `${type}.delete`, operations: projection.operations };
}

export async function listResources(context: OperationContext, type: ResourceType, params: ListParameters): Promise<ScimReply> {
  const selection = selectionOf(params);
  const { query, startIndex, cursorPaging } = readListQuery(type, params, (record) => renderResource(record, context.baseUrl));
  const count = query.count;
  if (cursorPaging) query.count = count + 1;
  const result = await context.store.queryScimResources(context.sorId, type, query);
  const records = result.resources.slice(0, count);
  const last = result.resources.length > count ? records[records.length - 1] : undefined;
  const paging = cursorPaging ? { nextCursor: last && encodeCursor(last.id) } : { startIndex };
  return { status: 200, body: await listResponse(context, selection, records, result.total, paging), eventType: `${type}.list` };
}

/** A ListResponse: `startIndex` when paged by index; with cursor paging, `nextCursor` while more remain (RFC 9865). */
export async function listResponse(
  context: OperationContext,
  selection: AttributeSelection,
  records: readonly ScimResourceRecord[],
  totalResults: number,
  paging: { startIndex: number } | { nextCursor: string | undefined },
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {
    schemas: [LIST_RESPONSE],
    totalResults,
    itemsPerPage: records.length,
    ...('startIndex' in paging ? { startIndex: paging.startIndex } : {}),
    Resources: await groupsOfListed(context, records, selection).then((groups) => Promise.all(records.map((record) => presentListed(context, record, selection, groups)))),
  };
  if ('nextCursor' in paging && paging.nextCursor !== undefined) body.nextCursor = paging.nextCursor;
  return body;
}
