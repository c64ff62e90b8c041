import type { GraphStore } from '../graph/store.js';
import type { EntityDef, Template, TemplateProblem } from '../template/model.js';
import { item, member } from '../template/places.js';
import { remapSource } from './push-types.js';

/**
 * The ways out when a change cannot be made with the nodes there: a SCIM events SoR's nodes can be mapped again
 * from what was pushed (remapNodes), a SCIM 2.0 SoR's projected again from its Users and Groups (remapScimResources);
 * any SoR's can be deleted (`pushgraph sor clear` does the same) and pushed again.
 */
const clearHint = (sorId: string, pushType: string) => {
  const source = remapSource(pushType);
  return (
    (source ? `replace the template with ?remap=true to map the stored nodes again from ${source}, ` : '') +
    `or delete the SoR's nodes first (DELETE /api/v1/systems-of-record/${sorId}/nodes) and push them again`
  );
};

/**
 * What a replacing template may not change while the graph holds nodes it would reinterpret. Stored nodes keep
 * what the old template made of their pushes (no node is mapped again from its source), so such a change would
 * leave them answering searches, relationships and SCIM writes wrongly, without a word. The PUT is refused
 * instead, naming each such place, before anything is written; unless it asks for the nodes to be mapped again
 * (`remap`), which settles those changes for every node that has a source (a SET, a SCIM 2.0 resource). An entity
 * dropped from a SCIM 2.0 SoR's template is refused even so: a remap writes only the entities the template has, so
 * the dropped entity's nodes would stay, unread and going out of date, to come back if the entity did.
 */
export async function storedNodeProblems(
  store: GraphStore,
  sorId: string,
  before: Template,
  after: Template,
  pushType: string,
  options: { remap?: boolean } = {},
): Promise<TemplateProblem[]> {
  const counts = await store.countNodes(sorId);
  if (Object.keys(counts).length === 0) return [];
  const problems: TemplateProblem[] = [];
  for (const entity of options.remap ? [] : Object.values(after.entities)) {
    if (!Object.hasOwn(before.entities, entity.key)) continue;
    const old = before.entities[entity.key]!;
    problems.push(...(await typeChangeProblems(store, sorId, pushType, old, entity)));
    const uniqueIdChanged = uniqueIdChangeProblem(sorId, pushType, old, entity, counts[entity.key] ?? 0);
    if (uniqueIdChanged) problems.push(uniqueIdChanged);
  }
  if (pushType === 'SCIM2.0') problems.push(...droppedEntityProblems(sorId, before, after, counts));
  return problems;
}

/**
 * A value is stored as its type made it (the string "true", the boolean true, a time in RFC 3339 UTC): with another
 * type, `enabled eq true` finds none of the nodes holding "true", and an indexed DateTime is looked up in another form.
 * Likewise a list is stored as an array and a single value as itself: after a `list` change a policy reading the
 * attribute would get the other shape.
 */
async function typeChangeProblems(store: GraphStore, sorId: string, pushType: string, old: EntityDef, entity: EntityDef): Promise<TemplateProblem[]> {
  const problems: TemplateProblem[] = [];
  for (const [index, attribute] of entity.attributes.entries()) {
    const previous = old.attributes.find((candidate) => candidate.name === attribute.name);
    if (!previous || (previous.type === attribute.type && previous.list === attribute.list)) continue;
    const holding = await store.countNodesHolding(sorId, entity.key, attribute.name);
    if (holding === 0) continue;
    const place = item(member(member('entities', entity.key), 'attributes'), index);
    if (previous.type !== attribute.type) {
      problems.push({
        place: member(place, 'type'),
        message:
          `${storedNodes(entity.key, holding)} with ${attribute.name} as a ${previous.type}, and stored values are not converted: as a ` +
          `${attribute.type} they would be compared wrongly in searches and relationships. Keep ${previous.type}, give the ` +
          `${attribute.type} attribute another name, ${clearHint(sorId, pushType)}`,
      });
    }
    if (previous.list !== attribute.list) {
      const [was, now] = previous.list ? ['a list', 'a single value'] : ['a single value', 'a list'];
      problems.push({
        place: member(place, 'list'),
        message:
          `${storedNodes(entity.key, holding)} with ${attribute.name} as ${was}, and stored values are not converted: they would ` +
          `be read as ${now}. Keep list: ${previous.list}, give the attribute another name, ${clearHint(sorId, pushType)}`,
      });
    }
  }
  return problems;
}

/**
 * A top-level node's id is its uniqueId value: with another uniqueId a push for a stored user makes a second node
 * beside the first, which stays (with its groups) since deletes and patches find the new id.
 */
function uniqueIdChangeProblem(sorId: string, pushType: string, old: EntityDef, entity: EntityDef, stored: number): TemplateProblem | undefined {
  if (entity.parent !== undefined || stored === 0 || old.uniqueIdAttribute === entity.uniqueIdAttribute) return undefined;
  const index = entity.attributes.findIndex((attribute) => attribute.name === entity.uniqueIdAttribute);
  const attributes = member(member('entities', entity.key), 'attributes');
  return {
    place: index < 0 ? attributes : member(item(attributes, index), 'uniqueId'),
    message:
      `${storedNodes(entity.key, stored)} identified by ${old.uniqueIdAttribute}: identified by ${entity.uniqueIdAttribute ?? 'position'}, ` +
      `a push for one of them would make a second node beside it. Keep ${old.uniqueIdAttribute} as the uniqueId, ${clearHint(sorId, pushType)}`,
  };
}

/**
 * A SCIM 2.0 SoR goes on accepting writes to its Users and Groups while an entity is out of its template, and none
 * of them reaches that entity's nodes: brought back, a removed member or a deleted user would be in the graph again.
 */
function droppedEntityProblems(sorId: string, before: Template, after: Template, counts: Record<string, number>): TemplateProblem[] {
  return Object.keys(before.entities)
    .filter((key) => !Object.hasOwn(after.entities, key) && (counts[key] ?? 0) > 0)
    .map((key) => ({
      place: member('entities', key),
      message:
        `${storedNodes(key, counts[key]!)}; on a SCIM 2.0 system of record the resources go on changing while an entity ` +
        `is out of the template, so its nodes would come back out of date (a remap writes only the entities the template ` +
        `has, so ?remap=true does not help). Keep ${key}, or delete the SoR's nodes and SCIM ` +
        `resources first (DELETE /api/v1/systems-of-record/${sorId}/nodes) and provision them again`,
    }));
}

function storedNodes(entity: string, count: number): string {
  return `${entity} has ${count} stored node${count === 1 ? '' : 's'}`;
}
