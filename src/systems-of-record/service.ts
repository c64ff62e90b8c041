import { randomUUID } from 'node:crypto';
import type { GraphStore, SystemOfRecordRecord } from '../graph/store.js';
import { addedAttributes, unionWithin } from '../graph/index-builds.js';
import { indexedAttributesOf } from '../graph/tree.js';
import { parseTemplate } from '../template/load.js';
import { TemplateError, type Template, type TemplateProblem } from '../template/model.js';
import { ProblemError, badRequest, notFound } from '../http/problem.js';
import { scimMembersProblems } from '../scim/projection.js';
import { writeOnlyMappingProblems } from '../scim/write-only-mappings.js';
import type { SystemOfRecordRequest } from './create-request.js';
import { effectivePushType, pushTypeChangeProblem, pushTypeProblem, remapSource } from './push-types.js';
import { storedNodeProblems } from './stored-node-problems.js';
import { parseVerification, type Verification } from './verification.js';

export interface SystemOfRecord {
  record: SystemOfRecordRecord;
  template: Template;
  verification: Verification;
}

/**
 * Systems of record: their templates, validated on the way in and compiled once per version. The compiled
 * template is cached by (id, updatedAt), so an instance always sees another instance's update on its next read.
 */
export class SystemsOfRecord {
  private readonly compiled = new Map<string, { updatedAt: string; template: Template }>();
  /** The last SoR read per id through atVersion (for push requests, which check its version on every request). */
  private readonly current = new Map<string, SystemOfRecord>();

  constructor(private readonly store: GraphStore) {}

  async create(request: SystemOfRecordRequest, now = new Date()): Promise<SystemOfRecord> {
    const { template, verification, pushType } = validateRequest(request);
    const at = now.toISOString();
    const record: SystemOfRecordRecord = {
      id: randomUUID(),
      displayName: request.displayName ?? template.displayName,
      description: request.description ?? template.description,
      pushType,
      deliveryMethod: template.deliveryMethod ?? 'entityPush',
      templateYaml: request.templateYaml,
      verification: verification as unknown as Record<string, unknown>,
      ...(request.options ? { options: request.options } : {}),
      indexPlan: indexedAttributesOf(template),
      createdAt: at,
      updatedAt: at,
    };
    await this.store.createSystemOfRecord(record);
    this.compiled.set(record.id, { updatedAt: at, template });
    return { record, template, verification };
  }

  /**
   * `remap`: the caller maps the stored nodes again with the new template after this (remapSystemOfRecord), so changes
   * that would otherwise reinterpret them are allowed: a SCIM events SoR's nodes keep their source, and a SCIM 2.0
   * SoR's are projected from the resources it keeps.
   */
  async replace(id: string, request: SystemOfRecordRequest, now = new Date(), options: { remap?: boolean } = {}): Promise<SystemOfRecord> {
    const existing = await this.store.getSystemOfRecord(id);
    if (!existing) throw sorNotFound(id);
    if (options.remap) checkRemappable(existing.pushType);
    const { template, verification, pushType } = validateRequest(request, existing);
    const reinterpreted = await storedNodeProblems(this.store, id, this.templateOf(existing), template, pushType, options);
    if (reinterpreted.length > 0) throw invalidSystemOfRecord(reinterpreted);
    const record: SystemOfRecordRecord = {
      ...existing,
      displayName: request.displayName ?? template.displayName,
      description: request.description ?? template.description,
      pushType,
      deliveryMethod: template.deliveryMethod ?? 'entityPush',
      templateYaml: request.templateYaml,
      verification: verification as unknown as Record<string, unknown>,
      options: request.options ?? existing.options,
      indexPlan: indexedAttributesOf(template),
      updatedAt: laterThan(existing.updatedAt, now).toISOString(),
    };
    // Nodes written before keep only the index rows the old plan asked for; the new attributes' rows are built
    // for them after this write (buildAttributeIndexes), and every write from now on makes them itself.
    const before = existing.indexPlan ?? indexedAttributesOf(this.templateOf(existing));
    const indexBuilds = unionWithin(existing.indexBuilds, addedAttributes(record.indexPlan!, before), record.indexPlan!);
    if (indexBuilds) record.indexBuilds = indexBuilds;
    else delete record.indexBuilds;
    if (!(await this.store.updateSystemOfRecord(record))) throw sorNotFound(id);
    this.compiled.set(id, { updatedAt: record.updatedAt, template });
    return { record, template, verification };
  }

  async get(id: string): Promise<SystemOfRecord | undefined> {
    const record = await this.store.getSystemOfRecord(id);
    if (!record) return undefined;
    return { record, template: this.templateOf(record), verification: record.verification as unknown as Verification };
  }

  /**
   * The SoR as of `updatedAt`, which the caller has just read from the store: every write changes it, so a SoR
   * this instance read at that version is still current and need not be read again. Callers must not modify it.
   */
  async atVersion(id: string, updatedAt: string): Promise<SystemOfRecord | undefined> {
    const known = this.current.get(id);
    if (known && known.record.updatedAt === updatedAt) return known;
    const sor = await this.get(id);
    if (sor) this.current.set(id, sor);
    return sor;
  }

  async require(id: string): Promise<SystemOfRecord> {
    const sor = await this.get(id);
    if (!sor) throw sorNotFound(id);
    return sor;
  }

  async list(): Promise<SystemOfRecord[]> {
    const records = await this.store.listSystemsOfRecord();
    return records.map((record) => ({
      record,
      template: this.templateOf(record),
      verification: record.verification as unknown as Verification,
    }));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteSystemOfRecord(id))) throw sorNotFound(id);
    this.compiled.delete(id);
    this.current.delete(id);
  }

  private templateOf(record: SystemOfRecordRecord): Template {
    const cached = this.compiled.get(record.id);
    if (cached && cached.updatedAt === record.updatedAt) return cached.template;
    const template = parseTemplate(record.templateYaml);
    this.compiled.set(record.id, { updatedAt: record.updatedAt, template });
    return template;
  }
}

export function sorNotFound(id: string): ProblemError {
  return notFound(`no system of record with id "${id}"`);
}

/**
 * `existing`, for a replace: a request without `verification` keeps the SoR's settings, since falling back to the
 * defaults would quietly weaken how its SETs are checked (as the `scim` options are kept, too); and its push type
 * stays what it is (pushTypeChangeProblem).
 */
function validateRequest(
  request: SystemOfRecordRequest,
  existing?: SystemOfRecordRecord,
): { template: Template; verification: Verification; pushType: string } {
  const currentVerification = existing?.verification as unknown as Verification | undefined;
  const problems: TemplateProblem[] = [];
  let template: Template | undefined;
  try {
    template = parseTemplate(request.templateYaml);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    problems.push(...error.problems);
  }
  const verification =
    request.verification === undefined && currentVerification
      ? { ok: true as const, verification: currentVerification }
      : parseVerification(request.verification);
  if (!verification.ok) problems.push(...verification.problems);
  const pushType = effectivePushType(request.pushType, template?.pushType, existing?.pushType);
  const pushTypeNotKnown = pushTypeProblem(request.pushType, template?.pushType);
  if (pushTypeNotKnown) problems.push(pushTypeNotKnown);
  const pushTypeChanged = existing && !pushTypeNotKnown && pushTypeChangeProblem(request.pushType, template?.pushType, existing.pushType);
  if (pushTypeChanged) problems.push(pushTypeChanged);
  if (template && pushType === 'SCIM2.0') problems.push(...scimMembersProblems(template));
  if (template) problems.push(...writeOnlyMappingProblems(template));
  if (problems.length > 0 || !template || !verification.ok) throw invalidSystemOfRecord(problems);
  return { template, verification: verification.verification, pushType };
}

/**
 * A SCIM events SoR's nodes keep the SET they were built from, and a SCIM 2.0 SoR's are projected from the Users
 * and Groups it keeps; a SoR of a push type nothing receives yet has nothing to map its nodes from.
 */
export function checkRemappable(pushType: string): void {
  if (remapSource(pushType) !== undefined) return;
  throw badRequest(
    `the nodes of a ${pushType} system of record cannot be mapped again: only a SCIM events (SET) system of record keeps ` +
      'the document each node was built from, and only a SCIM 2.0 one its resources',
    { title: 'Cannot remap nodes' },
  );
}

function invalidSystemOfRecord(problems: TemplateProblem[]): ProblemError {
  return badRequest(`the system of record has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
    title: 'Invalid system of record',
    errors: problems,
  });
}

/** updatedAt must change on every write, even two within one millisecond, since it keys the template cache. */
function laterThan(previous: string, now: Date): Date {
  const previousTime = Date.parse(previous);
  return now.getTime() > previousTime ? now : new Date(previousTime + 1);
}
