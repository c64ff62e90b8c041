import type { AttributeDef, EntityDef } from './model.js';

/** Templates name entities by key in some places and by externalId in others; the key wins when both match. */
export function findEntity(entities: Record<string, EntityDef>, name: string): EntityDef | undefined {
  if (Object.hasOwn(entities, name)) return entities[name];
  return Object.values(entities).find((entity) => entity.externalId === name);
}

/** Attributes are likewise named by name or by externalId; the name wins. */
export function findAttribute(entity: EntityDef, name: string): AttributeDef | undefined {
  return entity.attributes.find((a) => a.name === name) ?? entity.attributes.find((a) => a.externalId === name);
}

export function entityNames(entities: Record<string, EntityDef>): string {
  return Object.keys(entities).join(', ');
}

/**
 * How a top-level entity's pushExternalId and a pushed resource type are compared: without regard to case,
 * singular and plural alike, since templates write `User` and `Users` and subjects `/Users/…`.
 */
export function resourceTypeKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('s') ? lower.slice(0, -1) : lower;
}

/** Whether the template still has this entity: a replaced template may drop one whose nodes are kept. */
export function hasEntity(entities: Record<string, EntityDef>, key: string): boolean {
  return Object.hasOwn(entities, key);
}
