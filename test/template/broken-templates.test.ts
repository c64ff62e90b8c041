import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/template/load.js';
import { catalogObject, deleteAt, getAt, problemsOf, seedObject, setAt, type TemplateObject } from './catalog.js';

/**
 * For each catalog template, one copy with several breakages at once; every breakage must be reported at
 * its exact place, and nothing else.
 */
interface Breakage {
  file: string;
  load: () => TemplateObject;
  /** An entity with at least three attributes. */
  entity: string;
  /** An entity given an unknown parent. */
  child: string;
  /** A direct relationship whose toAttribute is broken, or undefined to add one. */
  direct?: string;
  /** A path relationship whose second step is broken, or undefined to add one. */
  path?: string;
}

const breakages: Breakage[] = [
  { file: 'okta.sgnl.yaml', load: () => catalogObject('okta.sgnl.yaml'), entity: 'User', child: 'Group', direct: 'Member', path: 'UserMemberGroup' },
  {
    file: 'scim-2.0-push.sgnl.yaml',
    load: () => catalogObject('scim-2.0-push.sgnl.yaml'),
    entity: 'User',
    child: 'Email',
    direct: 'UserToGroupMember',
    path: 'UserGroups',
  },
  {
    file: 'scim-2.0.sgnl.yaml',
    load: () => catalogObject('scim-2.0.sgnl.yaml'),
    entity: 'Group',
    child: 'Email',
    direct: 'MemberOf',
    path: 'UserMemberGroup',
  },
  { file: 'ssfevents.caep.sgnl.yaml', load: () => catalogObject('ssfevents.caep.sgnl.yaml'), entity: 'SessionRevoked', child: 'CredentialChange' },
  { file: 'seed-entity-push.sgnl.yaml', load: seedObject, entity: 'User', child: 'Email' },
];

function breakTemplate(b: Breakage): { document: TemplateObject; expected: Record<string, RegExp> } {
  const document = b.load();
  const attributes = ['entities', b.entity, 'attributes'];
  const pathField = getAt(document, [...attributes, 0, 'pushExternalId']) === undefined ? 'externalId' : 'pushExternalId';
  setAt(document, [...attributes, 1, 'type'], 'Strng');
  deleteAt(document, [...attributes, 2, 'name']);
  setAt(document, [...attributes, 0, pathField], '$.a[');
  setAt(document, ['entities', b.child, 'parent'], 'Nobody');
  document.relationships ??= {};
  const direct = b.direct ?? 'AddedDirect';
  if (b.direct === undefined) setAt(document, ['relationships', direct], { fromAttribute: `${b.entity}.id` });
  setAt(document, ['relationships', direct, 'toAttribute'], `${b.entity}.nope`);
  const path = b.path ?? 'AddedPath';
  if (b.path === undefined) {
    setAt(document, ['relationships', path], { path: [{ relationship: direct, direction: 'Forward' }, {}] });
  }
  setAt(document, ['relationships', path, 'path', 1], { relationship: 'Nope', direction: 'Forward' });
  setAt(document, ['relationships', 'CycleA'], { path: [{ relationship: 'CycleB', direction: 'Forward' }] });
  setAt(document, ['relationships', 'CycleB'], { path: [{ relationship: 'CycleA', direction: 'Backward' }] });
  const entity = `entities.${b.entity}.attributes`;
  return {
    document,
    expected: {
      [`${entity}[1].type`]: /^unknown type "Strng"; expected one of String, Int64, Double, Bool, DateTime, Duration \(aliases: Integer, Boolean, Date, Float\)$/,
      [`${entity}[2].name`]: /^name is required$/,
      [`${entity}[0].${pathField}`]: /^invalid JSONPath "\$\.a\[": unclosed bracketed selection/,
      [`entities.${b.child}.parent`]: /^unknown parent entity "Nobody"; expected the key or externalId of one of: /,
      [`relationships.${direct}.toAttribute`]: new RegExp(`^entity ${b.entity} has no attribute "nope" \\(by name or externalId\\)`),
      [`relationships.${path}.path[1].relationship`]: /^unknown relationship "Nope"; expected one of: /,
      'relationships.CycleA.path[0].relationship': /^path relationships refer to each other in a cycle: CycleA → CycleB → CycleA$/,
    },
  };
}

describe.each(breakages)('a broken copy of $file', (b) => {
  it('reports every breakage at its exact place, all at once', () => {
    const { document, expected } = breakTemplate(b);
    const problems = problemsOf(() => parseTemplate(document));
    expect(problems.map((p) => p.place).sort()).toEqual(Object.keys(expected).sort());
    for (const problem of problems) expect(problem.message).toMatch(expected[problem.place]!);
  });

  it('loads when unbroken, so the breakages are the only problems', () => {
    expect(() => parseTemplate(b.load())).not.toThrow();
  });
});
