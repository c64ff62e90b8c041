import { randomUUID } from 'node:crypto';
import type { ScimChange, ScimMemberRecord, ScimMemberWrite, ScimResourceRecord } from '../graph/scim-resources.js';
import type { GraphStore, WriteOptions } from '../graph/store.js';
import { indexedAttributesOf } from '../graph/tree.js';
import type { SystemOfRecord } from '../systems-of-record/service.js';
import { memberDelta } from './member-changes.js';
import { applyPatch, type ResourceType } from './patch/index.js';
import { mapEntity } from '../mapping/map-entity.js';
import type { EntityDef } from '../template/model.js';
import { ResourceWriteQueue, retryStaleWrite } from './concurrent-writes.js';
import { checkIfMatch } from './preconditions.js';
import { mergeProjections, projectGroup, projectMembers, projectUser, SCIM_MAPPING, scimEntities, type MemberDelta, type Projection } from './projection.js';
import { renderResource } from './render.js';
import { readResource, RESOURCE_TYPES, type IncomingResource } from './resource-document.js';
import { ScimError, badRequest, conflict, notFound, preconditionFailed } from './scim-error.js';
import { fullValueFilters } from './value-filter-engine.js';

export interface ScimWriteResult {
  record: ScimResourceRecord;
  projection: Projection;
  /** False for a PATCH that changed nothing (nothing was written). */
  modified: boolean;
}

/** One SoR's SCIM resources: every write is stored with its graph projection in one transaction. */
export class ScimResources {
  private readonly entities;
  private readonly options: WriteOptions;

  constructor(
    private readonly store: GraphStore,
    private readonly sor: SystemOfRecord,
    private readonly baseUrl: string,
    eventId: string,
    /** Shared by the requests of this instance; a queue of its own when the caller has none to share. */
    private readonly writes: ResourceWriteQueue = new ResourceWriteQueue(),
  ) {
    this.entities = scimEntities(sor.template);
    this.options = { eventId, indexedAttributes: indexedAttributesOf(sor.template) };
  }

  private get sorId(): string {
    return this.sor.record.id;
  }

  async get(type: ResourceType, id: string): Promise<ScimResourceRecord> {
    const record = await this.store.getScimResource(this.sorId, type, id);
    if (!record) throw notFound(`no ${type} with id "${id}"`);
    return record;
  }

  async create(type: ResourceType, body: unknown, now = new Date()): Promise<ScimWriteResult> {
    const incoming = readResource(type, body, randomUUID());
    const at = now.toISOString();
    const record = this.recordOf(type, incoming, 1, at, at);
    const delta: MemberDelta = { removeAll: false, remove: [], add: incoming.members ?? [] };
    const projection = this.project(record, delta);
    await this.write({ resource: { kind: 'create', resource: record }, ...this.memberWrite(record, delta), graph: projection.graph, options: this.options }, record);
    return { record, projection, modified: true };
  }

  /** Creates many Users in one transaction, as a bulk load does; a taken userName refuses them all (409). */
  async importUsers(bodies: readonly unknown[], now = new Date()): Promise<ScimResourceRecord[]> {
    const at = now.toISOString();
    const records = bodies.map((body) => this.recordOf('User', readResource('User', body, randomUUID()), 1, at, at));
    const projection = mergeProjections(...records.map((record) => this.project(record, { removeAll: false, remove: [], add: [] })));
    const result = await this.store.importScimResources(this.sorId, records, projection.graph, this.options);
    if (result === 'conflict') throw conflict('a userName of the batch is taken (compared without regard to case)');
    return records;
  }

  async replace(type: ResourceType, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimWriteResult> {
    return this.readModifyWrite(type, id, ifMatch, 'replaced', (current) => this.tryReplace(current, body));
  }

  async patch(type: ResourceType, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimWriteResult> {
    return this.readModifyWrite(type, id, ifMatch, 'patched', (current) => this.tryPatch(current, body));
  }

  /**
   * Reads the resource, checks If-Match, and writes what `change` makes of it, one write to a resource at a
   * time in this instance. A write that finds the resource changed since its read is a failed precondition
   * when the client sent If-Match (412); without one it is read and applied again (retryStaleWrite).
   */
  private readModifyWrite(
    type: ResourceType,
    id: string,
    ifMatch: string | undefined,
    done: string,
    change: (current: ScimResourceRecord) => Promise<ScimWriteResult | 'stale'>,
  ): Promise<ScimWriteResult> {
    const attempt = async () => {
      const current = await this.get(type, id);
      checkIfMatch(ifMatch, current);
      const result = await change(current);
      if (result === 'stale' && ifMatch !== undefined) throw preconditionFailed(`the ${type} changed while it was being ${done}; read it and retry`);
      return result;
    };
    return this.writes.run(`${this.sorId}/${type}/${id}`, () => retryStaleWrite(attempt, `the ${type}`));
  }

  private async tryReplace(current: ScimResourceRecord, body: unknown, now = new Date()): Promise<ScimWriteResult | 'stale'> {
    const type = current.resourceType;
    const incoming = readResource(type, body, current.id);
    const record = this.recordOf(type, incoming, current.version + 1, current.created, laterThan(current.modified, now));
    // PUT replaces members only when the body lists them; Okta's group PUTs without members keep them.
    const delta: MemberDelta = { removeAll: incoming.members !== undefined, remove: [], add: incoming.members ?? [] };
    const projection = this.project(record, delta);
    const change: ScimChange = {
      resource: { kind: 'update', resource: record, expectedVersion: current.version },
      ...this.memberWrite(record, delta),
      graph: projection.graph,
      options: this.options,
    };
    return (await this.write(change, record)) === 'stale' ? 'stale' : { record, projection, modified: true };
  }

  private async tryPatch(current: ScimResourceRecord, body: unknown, now = new Date()): Promise<ScimWriteResult | 'stale'> {
    const type = current.resourceType;
    const patched = applyPatch({ ...current.document, id: current.id }, body, { resourceType: type, separateMembers: type === 'Group', valueFilters: fullValueFilters });
    if (!patched.ok) throw new ScimError(400, patched.error.detail, patched.error.scimType);
    if (!patched.modified) return { record: current, projection: { graph: {}, operations: [] }, modified: false };
    const incoming = readResource(type, patched.resource, current.id);
    const delta = await memberDelta(this.store, this.sorId, current.id, patched.memberChanges);
    const record = this.recordOf(type, incoming, current.version + 1, current.created, laterThan(current.modified, now));
    // The Group node is one row, rewritten for its new version; its other member nodes are not touched.
    const projection = this.project(record, delta);
    const change: ScimChange = {
      resource: { kind: 'update', resource: record, expectedVersion: current.version },
      ...this.memberWrite(record, delta),
      graph: projection.graph,
      options: this.options,
    };
    return (await this.write(change, record)) === 'stale' ? 'stale' : { record, projection, modified: true };
  }

  async delete(type: ResourceType, id: string, ifMatch: string | undefined): Promise<Projection> {
    const current = await this.get(type, id);
    checkIfMatch(ifMatch, current);
    const entity = this.entities[type];
    const node = entity ? { entity: entity.key, id: this.nodeIdOf(current, entity) } : undefined;
    const own: Projection = { graph: { delete: node ? [node] : [] }, operations: node ? [{ op: 'delete', ...node }] : [] };
    const leaving = type === 'User' ? await this.leaveGroups(id) : { members: [], projection: { graph: {}, operations: [] } };
    const projection = mergeProjections(own, leaving.projection);
    const result = await this.store.applyScimChange(this.sorId, {
      resource: { kind: 'delete', resourceType: type, id, ...(ifMatch === undefined ? {} : { expectedVersion: current.version }) },
      ...(leaving.members.length > 0 ? { members: leaving.members } : {}),
      graph: projection.graph,
      options: this.options,
    });
    if (result === 'stale') throw ifMatch === undefined ? notFound(`no ${type} with id "${id}"`) : preconditionFailed(`the ${type} changed; read it and retry`);
    return projection;
  }

  /** A deleted User leaves every group it was in (its member rows and GroupMember nodes go with it). */
  private async leaveGroups(userId: string): Promise<{ members: ScimMemberWrite[]; projection: Projection }> {
    const groups = await this.store.scimGroupsOf(this.sorId, userId);
    const projections: Projection[] = [];
    for (const { id } of groups) {
      const group = await this.store.getScimResource(this.sorId, 'Group', id);
      if (!group) continue;
      const delta = { removeAll: false, add: [], remove: [{ value: userId }] };
      projections.push(projectMembers(this.sor.template, this.entities, renderResource(group, this.baseUrl), delta));
    }
    return { members: groups.map(({ id }) => ({ groupId: id, remove: [userId] })), projection: mergeProjections(...projections) };
  }

  private recordOf(type: ResourceType, incoming: IncomingResource, version: number, created: string, modified: string): ScimResourceRecord {
    const record: ScimResourceRecord = {
      sorId: this.sorId,
      resourceType: type,
      id: incoming.document.id as string,
      name: incoming.name,
      document: incoming.document,
      version,
      created,
      modified,
    };
    if (incoming.externalId !== undefined) record.externalId = incoming.externalId;
    return record;
  }

  /** What the template maps: the resource as SCIM reads return it (with `meta`), a Group without members. */
  private project(record: ScimResourceRecord, delta: MemberDelta): Projection {
    const resource = renderResource(record, this.baseUrl);
    if (record.resourceType === 'User') return projectUser(this.sor.template, this.entities, resource);
    return mergeProjections(projectGroup(this.sor.template, this.entities, resource), projectMembers(this.sor.template, this.entities, resource, delta));
  }

  private memberWrite(record: ScimResourceRecord, delta: MemberDelta): Pick<ScimChange, 'members'> {
    if (record.resourceType !== 'Group' || (!delta.removeAll && delta.add.length === 0 && delta.remove.length === 0)) return {};
    return { members: { groupId: record.id, removeAll: delta.removeAll, remove: delta.remove.map((member: ScimMemberRecord) => member.value), add: delta.add } };
  }

  private nodeIdOf(record: ScimResourceRecord, entity: EntityDef): string {
    const mapped = mapEntity(this.sor.template, entity.key, renderResource(record, this.baseUrl), SCIM_MAPPING);
    return mapped.ok ? mapped.node.id : record.id;
  }

  private async write(change: ScimChange, record: ScimResourceRecord): Promise<'ok' | 'stale'> {
    const result = await this.store.applyScimChange(this.sorId, change);
    if (result === 'conflict') {
      const { nameAttribute } = RESOURCE_TYPES[record.resourceType];
      throw conflict(`a ${record.resourceType} with ${nameAttribute} ${JSON.stringify(record.name)} already exists (compared without regard to case)`);
    }
    return result;
  }
}

/** lastModified must move forward even for two writes within one millisecond. */
function laterThan(previous: string, now: Date): string {
  const before = Date.parse(previous);
  return (now.getTime() > before ? now : new Date(before + 1)).toISOString();
}

export function requireBody(body: unknown): unknown {
  if (body === undefined) throw badRequest('invalidSyntax', 'the request needs a JSON body');
  return body;
}
