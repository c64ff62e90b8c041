import type { Template } from '../template/model.js';

/** For each entity of a template, the attributes the store must index. */
export function indexPlanOf(template: Template): Record<string, readonly string[]> {
  return Object.fromEntries(Object.values(template.entities).map((entity) => [entity.key, entity.indexedAttributes]));
}
