import type { GraphStore } from '../graph/store.js';
import { indexPlanOf } from '../graph/index-plan.js';
import { mapEntity } from '../mapping/map-entity.js';
import type { MappingError } from '../mapping/map-entity.js';
import type { Template } from '../template/model.js';
import { invalidRequest } from './set-error.js';
import { subjectEntity } from './subject-entity.js';
import type { SecurityEvent } from './validate-set.js';

export type GraphOperation = { op: 'replace' | 'delete' | 'none'; entity: string; id?: string; children?: number };

/**
 * Maps a validated SCIM event through the template and applies it. Attributes come from the template's
 * JSONPath expressions evaluated on the whole SET, as SGNL's templates are written.
 */
export async function applyEvent(store: GraphStore, sorId: string, template: Template, event: SecurityEvent): Promise<GraphOperation> {
  if (!event.kind) return { op: 'none', entity: '' };
  const entity = subjectEntity(template, event.subject.uri);
  switch (event.kind) {
    case 'create:full':
    case 'put:full': {
      const node = mapOrRefuse(template, entity.key, event);
      await store.replaceNode(sorId, node, { eventId: event.jti, indexedAttributes: indexPlanOf(template) });
      return { op: 'replace', entity: entity.key, id: node.id, children: node.children.length };
    }
    case 'delete': {
      const id = subjectNodeId(template, entity.key, event);
      await store.deleteNode(sorId, entity.key, id);
      return { op: 'delete', entity: entity.key, id };
    }
    case 'create:notice':
    case 'put:notice':
    case 'patch:notice':
    case 'feed:add':
    case 'feed:remove':
    case 'misc:asyncresp':
      return { op: 'none', entity: entity.key };
    default:
      throw invalidRequest(`"${event.eventUri}" events are not applied by this version of pushgraph yet; send put:full instead`);
  }
}

function mapOrRefuse(template: Template, entityKey: string, event: SecurityEvent) {
  const result = mapEntity(template, entityKey, event.claims);
  if (!result.ok) throw invalidRequest(describeMappingErrors(result.errors));
  return result.node;
}

/** A delete carries no data, so only the uniqueId attribute is evaluated (it usually reads `$.sub_id.id`). */
function subjectNodeId(template: Template, entityKey: string, event: SecurityEvent): string {
  const result = mapEntity(template, entityKey, event.claims);
  if (result.ok) return result.node.id;
  if (event.subject.id) return event.subject.id;
  throw invalidRequest(describeMappingErrors(result.errors));
}

export function describeMappingErrors(errors: MappingError[]): string {
  return `the SET does not fit the template: ${errors.map((e) => e.message).join('; ')}`;
}
