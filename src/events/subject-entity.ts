import type { EntityDef, Template } from '../template/model.js';
import { resourceTypeKey } from '../template/entity-lookup.js';
import { invalidRequest } from './set-error.js';

/**
 * The top-level entity whose pushExternalId names the resource type in `sub_id.uri` (`/Users/…` → `Users`).
 * Compared without regard to case, singular and plural alike, since templates write `User` and `Users`.
 */
export function subjectEntity(template: Template, subjectUri: string): EntityDef {
  const resourceType = subjectUri.split('/')[1] ?? '';
  const wanted = resourceTypeKey(resourceType);
  const topLevel = Object.values(template.entities).filter((entity) => !entity.parent);
  const entity = topLevel.find((e) => resourceTypeKey(e.pushExternalId) === wanted);
  if (!entity) {
    throw invalidRequest(
      `no entity of this system of record receives "${resourceType}" resources (sub_id.uri "${subjectUri}"); ` +
        `its entities take ${topLevel.map((e) => `"${e.pushExternalId}"`).join(', ')}`,
    );
  }
  return entity;
}
