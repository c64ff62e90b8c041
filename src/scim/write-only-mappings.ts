import { jsonpath as jsonPathClasses } from 'json-p3';
import type { AttributeDef, Template, TemplateProblem } from '../template/model.js';
import { item, member } from '../template/places.js';
import { namesWriteOnlyAttribute } from './write-only-values.js';

/**
 * A template attribute read from a write-only value (RFC 7643 `password`, returned never) is refused when a SoR is
 * created or its template replaced. Such a value is never kept: SETs are stored, and mapped by the inbox worker,
 * with it redacted, and SCIM 2.0 resources are stored without it; so the attribute could only ever hold
 * "[redacted]" or nothing. Refused, the template's author learns that at once, instead of from an empty attribute.
 */
export function writeOnlyMappingProblems(template: Template): TemplateProblem[] {
  return Object.values(template.entities).flatMap((entity) =>
    entity.attributes.flatMap((attribute, index) =>
      readsWriteOnlyValue(attribute)
        ? [
            {
              place: member(item(member(member('entities', entity.key), 'attributes'), index), 'pushExternalId'),
              message:
                `attribute ${attribute.name} is read from ${JSON.stringify(attribute.pushExternalId)}, a write-only value (RFC 7643: ` +
                'returned never), which pushgraph never keeps, not even in the event log; map it from another attribute or remove it',
            },
          ]
        : [],
    ),
  );
}

function readsWriteOnlyValue(attribute: AttributeDef): boolean {
  return attribute.path.query.segments.some((segment) =>
    segment.selectors.some((selector) => selector instanceof jsonPathClasses.selectors.NameSelector && namesWriteOnlyAttribute(selector.name)),
  );
}
