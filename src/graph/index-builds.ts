import type { AttributeIndexPlan } from './store.js';

/** The attributes of `plan` that `before` did not have: what a new index plan has to build for existing nodes. */
export function addedAttributes(plan: AttributeIndexPlan, before: AttributeIndexPlan): AttributeIndexPlan {
  const added: Record<string, string[]> = {};
  for (const [entity, attributes] of Object.entries(plan)) {
    const had = new Set(Object.hasOwn(before, entity) ? before[entity] : []);
    const missing = attributes.filter((attribute) => !had.has(attribute));
    if (missing.length > 0) added[entity] = missing;
  }
  return added;
}

/** Both plans' attributes together, kept only where `within` has them; undefined when that leaves none. */
export function unionWithin(a: AttributeIndexPlan | undefined, b: AttributeIndexPlan, within: AttributeIndexPlan): AttributeIndexPlan | undefined {
  const union: Record<string, string[]> = {};
  for (const [entity, attributes] of Object.entries(within)) {
    const wanted = new Set([...(a && Object.hasOwn(a, entity) ? a[entity]! : []), ...(Object.hasOwn(b, entity) ? b[entity]! : [])]);
    const kept = attributes.filter((attribute) => wanted.has(attribute));
    if (kept.length > 0) union[entity] = kept;
  }
  return Object.keys(union).length === 0 ? undefined : union;
}

/** The plan without the entity's given attributes; undefined when nothing is left. */
export function withoutAttributes(plan: AttributeIndexPlan, entity: string, attributes: readonly string[]): AttributeIndexPlan | undefined {
  const remaining: Record<string, readonly string[]> = {};
  for (const [key, names] of Object.entries(plan)) {
    const kept = key === entity ? names.filter((name) => !attributes.includes(name)) : names;
    if (kept.length > 0) remaining[key] = kept;
  }
  return Object.keys(remaining).length === 0 ? undefined : remaining;
}
