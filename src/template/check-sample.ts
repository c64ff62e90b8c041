import { readSecurityEvent } from '../events/validate-set.js';
import type { NodeTree } from '../graph/store.js';
import { mapEntity, type MappingError } from '../mapping/map-entity.js';
import type { EntityDef, Template } from './model.js';
import { resourceTypeKey } from './entity-lookup.js';

export type SampleKind = 'set' | 'scim';

export type SampleMapping =
  | { ok: true; kind: SampleKind; entity: string; node: NodeTree }
  | { ok: false; kind?: SampleKind; entity?: string; errors: { message: string; path?: string }[] };

/**
 * What a sample push would become in the graph: a SET (claims with `events` and `sub_id`) maps to the entity
 * its `sub_id.uri` names; a SCIM resource to the entity given, or the one its `schemas` or `meta.resourceType`
 * names; a SET's claims are first checked as the SET endpoint checks them. Used by `pushgraph template check
 * --sample` and by the template guide's tests.
 */
export function mapSample(template: Template, sample: unknown, entityKey?: string): SampleMapping {
  if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) {
    return { ok: false, errors: [{ message: 'the sample must be a JSON object: SET claims or a SCIM resource' }] };
  }
  const document = sample as Record<string, unknown>;
  // SET claims carry an `events` object; a SCIM resource lists its `schemas`. A SET missing `sub_id` (or `jti`)
  // is still a SET, refused below as the endpoint refuses it.
  const events = document.events;
  const kind: SampleKind = typeof events === 'object' && events !== null && !Array.isArray(events) && !('schemas' in document) ? 'set' : 'scim';
  if (kind === 'set') {
    // The claims the SET endpoint would refuse before any mapping, checked as it checks them.
    let event: ReturnType<typeof readSecurityEvent>;
    try {
      event = readSecurityEvent(document);
    } catch (error) {
      return { ok: false, kind, errors: [{ message: `the SET endpoint would refuse it: ${(error as Error).message}` }] };
    }
    if (!event.kind) {
      const message = `the SET endpoint would accept it and log it as ignored: "${event.eventUri}" is not a SCIM provisioning event, so nothing changes in the graph`;
      return { ok: false, kind, errors: [{ message }] };
    }
  }
  const entity = entityKey !== undefined ? template.entities[entityKey] : sampleEntity(template, document, kind);
  if (!entity) {
    const known = topLevel(template).map((e) => `${e.key} (${e.pushExternalId})`).join(', ');
    return {
      ok: false,
      kind,
      errors: [{ message: `${entityKey !== undefined ? `no entity "${entityKey}"` : 'cannot tell which entity the sample is for'}; the template's entities: ${known}` }],
    };
  }
  const result = mapEntity(template, entity.key, document);
  if (!result.ok) return { ok: false, kind, entity: entity.key, errors: result.errors.map(errorLine) };
  return { ok: true, kind, entity: entity.key, node: result.node };
}

function sampleEntity(template: Template, document: Record<string, unknown>, kind: SampleKind): EntityDef | undefined {
  const resourceType =
    kind === 'set'
      ? String((document.sub_id as { uri?: unknown } | undefined)?.uri ?? '').split('/')[1]
      : resourceTypeOf(document);
  if (!resourceType) return topLevel(template).length === 1 ? topLevel(template)[0] : undefined;
  const wanted = resourceTypeKey(resourceType);
  return topLevel(template).find((entity) => resourceTypeKey(entity.pushExternalId) === wanted || resourceTypeKey(entity.key) === wanted);
}

function resourceTypeOf(resource: Record<string, unknown>): string | undefined {
  const meta = resource.meta as { resourceType?: unknown } | undefined;
  if (typeof meta?.resourceType === 'string') return meta.resourceType;
  const schemas = Array.isArray(resource.schemas) ? resource.schemas : [];
  if (schemas.some((s) => s === 'urn:ietf:params:scim:schemas:core:2.0:Group')) return 'Group';
  if (schemas.some((s) => s === 'urn:ietf:params:scim:schemas:core:2.0:User')) return 'User';
  return undefined;
}

function topLevel(template: Template): EntityDef[] {
  return Object.values(template.entities).filter((entity) => !entity.parent);
}

function errorLine(error: MappingError): { message: string; path?: string } {
  return { message: error.message, path: error.path };
}
