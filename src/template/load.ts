import { LineCounter, parseDocument } from 'yaml';
import { FieldReader, describe, isMap, isPlaceholder, type ProblemList } from './fields.js';
import { TemplateError, type EntityDef, type RelationshipDef, type Template } from './model.js';
import { readEntities } from './validate-entities.js';
import { readRelationships } from './validate-relationships.js';

/** `entityPush` for push SoRs; catalog templates written for polling or event streams load too. */
export const DELIVERY_METHODS = ['entityPush', 'eventPush', 'syncPoll'] as const;
export const FREQUENCIES = ['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;

/**
 * Reads an SGNL SoR template (YAML text or an already parsed object) into the model, or throws a
 * TemplateError listing every problem found.
 */
export function parseTemplate(input: string | object): Template {
  const source = typeof input === 'string' ? parseYaml(input) : input;
  const problems: ProblemList = [];
  if (!isMap(source)) {
    throw new TemplateError([{ place: '(template)', message: `a template must be a map, found ${describe(source)}` }]);
  }
  const template = readTopLevel(new FieldReader(source, '', problems), source, problems);
  if (problems.length > 0) throw new TemplateError(problems);
  return template;
}

function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const { reported, following } = firstSyntaxError(document.errors);
    throw new TemplateError(
      reported.map((error, index) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        let message = error.code === 'MULTIPLE_DOCS' ? 'the template must be a single YAML document; a second one starts here' : error.message;
        if (index === reported.length - 1 && following > 0) {
          message += ` (the parser reported ${following} more problem${following === 1 ? '' : 's'} after this one, which follow from it)`;
        }
        return { place: `yaml:line ${line}, column ${col}`, message };
      }),
    );
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Thrown for alias expansion beyond the limit (a "billion laughs" document).
    throw new TemplateError([{ place: 'yaml', message: error instanceof Error ? error.message : String(error) }]);
  }
}

/**
 * Duplicate keys are reported each on its own; after the first syntax error the parser goes on reporting every
 * token it can no longer place (80 problems for one unquoted `[` in a flow mapping), so that error stands for them.
 */
function firstSyntaxError<E extends { code: string }>(errors: readonly E[]): { reported: E[]; following: number } {
  const syntax = errors.findIndex((error) => error.code !== 'DUPLICATE_KEY');
  if (syntax < 0) return { reported: [...errors], following: 0 };
  return { reported: errors.slice(0, syntax + 1), following: errors.length - syntax - 1 };
}

function readTopLevel(fields: FieldReader, source: object, problems: ProblemList): Template {
  const template: Template = {
    displayName: fields.string('displayName', { required: true }) ?? '',
    description: fields.string('description'),
    hostname: fields.string('hostname') ?? fields.string('address'),
    icon: fields.string('icon'),
    type: fields.string('type'),
    pushType: fields.string('pushType'),
    deliveryMethod: fields.oneOf('deliveryMethod', DELIVERY_METHODS),
    defaultSyncFrequency: fields.oneOf('defaultSyncFrequency', FREQUENCIES),
    defaultSyncMinInterval: fields.integer('defaultSyncMinInterval', 1),
    defaultApiCallFrequency: fields.oneOf('defaultApiCallFrequency', FREQUENCIES),
    defaultApiCallMinInterval: fields.integer('defaultApiCallMinInterval', 1),
    adapterConfig: readAdapterConfig(fields),
    auth: fields.list('auth'),
    entities: {},
    relationships: {},
    source,
  };
  for (const key of Object.keys(template) as (keyof Template)[]) {
    if (template[key] === undefined) delete template[key];
  }
  const entitiesMap = fields.map('entities', { required: true, nonEmpty: true });
  const read =
    entitiesMap === undefined
      ? { entities: {}, children: new Set<string>() }
      : readEntities(entitiesMap, 'entities', problems);
  template.entities = read.entities;
  const relationshipsMap = fields.map('relationships');
  if (relationshipsMap !== undefined) {
    template.relationships = readRelationships(relationshipsMap, 'relationships', read, problems);
  }
  indexAttributes(template.entities, template.relationships);
  return template;
}

/** `adapterConfig` is base64-encoded JSON (`e30=` is `{}`); a placeholder is left for the user to fill in. */
function readAdapterConfig(fields: FieldReader): string | undefined {
  const config = fields.string('adapterConfig');
  if (config === undefined || isPlaceholder(config)) return config;
  const reason = base64JsonProblem(config);
  if (reason !== undefined) {
    fields.problem('adapterConfig', `adapterConfig must be base64-encoded JSON (e30= is {}): ${reason}`);
  }
  return config;
}

function base64JsonProblem(config: string): string | undefined {
  const compact = config.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return 'it contains characters that are not base64';
  try {
    JSON.parse(Buffer.from(compact, 'base64').toString('utf8'));
    return undefined;
  } catch {
    return 'it does not decode to JSON';
  }
}

/** The store indexes uniqueId and indexed attributes, and those a direct relationship joins on. */
function indexAttributes(entities: Record<string, EntityDef>, relationships: Record<string, RelationshipDef>): void {
  const joined = new Set<string>();
  for (const relationship of Object.values(relationships)) {
    if (relationship.kind !== 'direct') continue;
    joined.add(`${relationship.from.entity}.${relationship.from.attribute}`);
    joined.add(`${relationship.to.entity}.${relationship.to.attribute}`);
  }
  for (const entity of Object.values(entities)) {
    entity.indexedAttributes = entity.attributes
      .filter((a) => a.indexed || a.uniqueId || joined.has(`${entity.key}.${a.name}`))
      .map((a) => a.name);
  }
}
