import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/template/load.js';
import { TemplateError } from '../../src/template/model.js';
import { catalogObject, deleteAt, problemsOf, seedObject, setAt, type TemplateObject } from './catalog.js';

function problemsAfter(change: (document: TemplateObject) => void, load: () => TemplateObject = seedObject) {
  const document = load();
  change(document);
  return problemsOf(() => parseTemplate(document));
}

const USER = ['entities', 'User'];
const USER_ATTRIBUTES = [...USER, 'attributes'];

describe('YAML text', () => {
  it('reports syntax errors with their line and column', () => {
    const problems = problemsOf(() => parseTemplate('displayName: x\nentities:\n  User: [\n    a\n'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.place).toMatch(/^yaml:line \d+, column \d+$/);
  });

  it('reports the first syntax error for the ones that follow from it, with how many there were', () => {
    const text = 'displayName: x\nentities:\n  User:\n    attributes:\n      - { name: a, pushExternalId: $.data.roles[0], type: String }\n      - { name: b, type: String }\n';
    const problems = problemsOf(() => parseTemplate(text));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.place).toBe('yaml:line 5, column 48');
    expect(problems[0]!.message).toMatch(/^Unexpected flow-seq-start at node end \(the parser reported \d+ more problems after this one, which follow from it\)$/);
  });

  it('reports every YAML error at once', () => {
    const problems = problemsOf(() => parseTemplate('displayName: x\ndisplayName: y\nentities: {\n'));
    expect(problems.map((p) => p.place)).toEqual(['yaml:line 2, column 1', 'yaml:line 4, column 1']);
    expect(problems[0]!.message).toMatch(/unique/);
  });

  it('refuses a second YAML document in our own words', () => {
    expect(problemsOf(() => parseTemplate('displayName: a\n---\ndisplayName: b\n'))).toEqual([
      { place: 'yaml:line 2, column 1', message: 'the template must be a single YAML document; a second one starts here' },
    ]);
  });

  it('refuses documents that expand aliases without limit', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    expect(problemsOf(() => parseTemplate(lines.join('\n'))).map((p) => p.place)).toEqual(['yaml']);
  });

  it('needs a map at the top', () => {
    expect(problemsOf(() => parseTemplate('- a\n- b\n'))).toEqual([
      { place: '(template)', message: 'a template must be a map, found a list' },
    ]);
  });

  it('throws a TemplateError whose message lists the problems', () => {
    try {
      parseTemplate({ entities: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as Error).message).toBe(
        'the template has 2 problems: displayName: displayName is required; entities: entities must not be empty',
      );
    }
  });
});

describe('top-level field types', () => {
  it.each([
    ['displayName', 5, 'displayName must be a string, found the number 5'],
    ['displayName', '  ', 'displayName must not be empty'],
    ['hostname', ['a'], 'hostname must be a string, found a list'],
    ['pushType', true, 'pushType must be a string, found the boolean true'],
    ['defaultApiCallMinInterval', 0, 'defaultApiCallMinInterval must be at least 1, found 0'],
    ['defaultApiCallMinInterval', 1.5, 'defaultApiCallMinInterval must be an integer, found the number 1.5'],
    ['defaultApiCallMinInterval', '1', 'defaultApiCallMinInterval must be an integer, found the string "1"'],
    ['defaultSyncMinInterval', -3, 'defaultSyncMinInterval must be at least 1, found -3'],
    [
      'defaultApiCallFrequency',
      'secondly',
      'defaultApiCallFrequency must be one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY, found the string "secondly"',
    ],
    ['deliveryMethod', 'carrierPigeon', 'deliveryMethod must be one of entityPush, eventPush, syncPoll, found the string "carrierPigeon"'],
    ['auth', { basic: {} }, 'auth must be a list, found a map'],
    ['adapterConfig', 'not base64!', 'adapterConfig must be base64-encoded JSON (e30= is {}): it contains characters that are not base64'],
    ['adapterConfig', 'bm90IGpzb24=', 'adapterConfig must be base64-encoded JSON (e30= is {}): it does not decode to JSON'],
    ['entities', [], 'entities must be a map, found a list'],
    ['entities', {}, 'entities must not be empty'],
    ['relationships', [], 'relationships must be a map, found a list'],
  ])('%s: %j', (field, value, message) => {
    expect(problemsAfter((d) => setAt(d, [field], value))).toEqual([{ place: field, message }]);
  });

  it('requires entities', () => {
    expect(problemsAfter((d) => deleteAt(d, ['entities']))).toEqual([{ place: 'entities', message: 'entities is required' }]);
  });

  it('accepts a placeholder adapterConfig', () => {
    expect(problemsAfter((d) => setAt(d, ['adapterConfig'], '{{Input Required: config}}'))).toEqual([]);
  });
});

describe('entity rules', () => {
  it.each([
    [['displayName'], 7, 'entities.User.displayName', 'displayName must be a string, found the number 7'],
    [['pageSize'], 0, 'entities.User.pageSize', 'pageSize must be at least 1, found 0'],
    [['pagesOrderedById'], 'no', 'entities.User.pagesOrderedById', 'pagesOrderedById must be true or false, found the string "no"'],
    [['attributes'], [], 'entities.User.attributes', 'attributes must not be empty'],
    [['attributes'], undefined, 'entities.User.attributes', 'attributes is required'],
    [['attributes', 0], 'userName', 'entities.User.attributes[0]', 'an attribute must be a map, found the string "userName"'],
    [['attributes', 0, 'externalId'], undefined, 'entities.User.attributes[0].externalId', 'externalId is required'],
    [['attributes', 0, 'type'], undefined, 'entities.User.attributes[0].type', 'type is required'],
    [['attributes', 0, 'indexed'], 'yes', 'entities.User.attributes[0].indexed', 'indexed must be true or false, found the string "yes"'],
    [['attributes', 0, 'name'], 'id', 'entities.User.attributes[1].name', 'duplicate attribute name "id"; attributes[0] has the same name'],
    [['attributes', 0, 'name'], 'ID', 'entities.User.attributes[1].name',
      'attribute name "id" differs from "ID" of attributes[0] only in case; filters match attribute names without regard to case'],
    [['attributes', 1, 'list'], true, 'entities.User.attributes[1].list', 'attribute id is the uniqueId, so it cannot be a list'],
  ])('%j = %j', (path, value, place, message) => {
    const problems = problemsAfter((d) => (value === undefined ? deleteAt(d, [...USER, ...path]) : setAt(d, [...USER, ...path], value)));
    expect(problems).toEqual([{ place, message }]);
  });

  it('requires an entity externalId (the parent named by it is then unknown too)', () => {
    expect(problemsAfter((d) => deleteAt(d, [...USER, 'externalId']))).toEqual([
      { place: 'entities.User.externalId', message: 'externalId is required' },
      { place: 'entities.Email.parent', message: 'unknown parent entity "Users"; expected the key or externalId of one of: User, Email' },
    ]);
  });

  it('reports an entity that is not a map', () => {
    expect(problemsAfter((d) => setAt(d, ['entities', 'Extra'], 'x'))).toEqual([
      { place: 'entities.Extra', message: 'entity Extra must be a map, found the string "x"' },
    ]);
  });

  it('quotes entity keys that are not plain names in places', () => {
    const problems = problemsAfter((d) => setAt(d, ['entities', 'my entity'], { attributes: [{ name: 'id', externalId: 'id', type: 'String', uniqueId: true }] }));
    expect(problems).toEqual([{ place: 'entities["my entity"].externalId', message: 'externalId is required' }]);
  });

  it('requires exactly one uniqueId attribute on a top-level entity', () => {
    expect(problemsAfter((d) => setAt(d, [...USER_ATTRIBUTES, 1, 'uniqueId'], false))).toEqual([
      { place: 'entities.User.attributes', message: 'entity User needs exactly one attribute with uniqueId: true, found none' },
    ]);
    expect(problemsAfter((d) => setAt(d, [...USER_ATTRIBUTES, 0, 'uniqueId'], true))).toEqual([
      { place: 'entities.User.attributes', message: 'entity User has 2 uniqueId attributes (userName, id); exactly one is allowed' },
    ]);
  });

  it('reports parent cycles once', () => {
    const problems = problemsAfter((d) => {
      setAt(d, ['entities', 'User', 'parent'], 'Email');
      setAt(d, ['entities', 'Email', 'parent'], 'User');
    });
    expect(problems).toEqual([{ place: 'entities.User.parent', message: 'parent cycle: User → Email → User' }]);
  });

  it('reports an entity that is its own parent', () => {
    expect(problemsAfter((d) => setAt(d, ['entities', 'Email', 'parent'], 'emails'))).toEqual([
      { place: 'entities.Email.parent', message: 'parent cycle: Email → Email' },
    ]);
  });

  it('reports a broken child entity path at its pushExternalId', () => {
    const problems = problemsAfter((d) => setAt(d, ['entities', 'Email', 'pushExternalId'], '$.events[?'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.place).toBe('entities.Email.pushExternalId');
    expect(problems[0]!.message).toMatch(/^invalid JSONPath "\$\.events\[\?": /);
  });

  it('does not compile a top-level entity pushExternalId, which names a resource type', () => {
    expect(problemsAfter((d) => setAt(d, [...USER, 'pushExternalId'], 'Users[weird'))).toEqual([]);
  });

  describe('entities that another entity\'s name or resource type would be mistaken for', () => {
    const person = (fields: Record<string, unknown>) => ({
      ...fields,
      attributes: [{ name: 'id', externalId: 'id', pushExternalId: '$.sub_id.id', type: 'String', uniqueId: true }],
    });
    const withPerson = (fields: Record<string, unknown>) => problemsAfter((d) => setAt(d, ['entities', 'Person'], person(fields)));

    it.each(['Users', 'users', 'User', 'USER'])('refuses a second top-level entity receiving %s, as SET subjects /Users and /User resolve alike', (pushExternalId) => {
      expect(withPerson({ externalId: 'People', pushExternalId })).toEqual([
        {
          place: 'entities.Person.pushExternalId',
          message: `entity Person receives the same resource type as entity User ("${pushExternalId}" and "Users"); SET subjects would go to User only`,
        },
      ]);
    });

    it('places the clash at externalId when it stands in for a missing pushExternalId', () => {
      expect(withPerson({ externalId: 'User' })).toEqual([
        {
          place: 'entities.Person.externalId',
          message: 'entity Person receives the same resource type as entity User ("User" and "Users"); SET subjects would go to User only',
        },
      ]);
    });

    it('refuses two entities with the same externalId, which relationships and parents name them by', () => {
      expect(withPerson({ externalId: 'Users', pushExternalId: 'People' })).toEqual([
        {
          place: 'entities.Person.externalId',
          message: 'entity Person has the externalId "Users" of entity User; "Users.id" in a relationship or a parent would be ambiguous',
        },
      ]);
    });

    it('lets child entities select the same objects, since their paths are relative to different parents', () => {
      const problems = problemsAfter((d) =>
        setAt(d, ['entities', 'WorkEmail'], { parent: 'User', externalId: 'workEmails', pushExternalId: '$.events.*.data.emails.*', attributes: [{ name: 'value', externalId: 'value', type: 'String' }] }),
      );
      expect(problems).toEqual([]);
    });
  });

  it('collects problems from many entities at once', () => {
    const problems = problemsAfter((d) => {
      setAt(d, [...USER_ATTRIBUTES, 0, 'type'], 'Text');
      setAt(d, ['entities', 'Email', 'attributes', 0, 'type'], 'Number');
      deleteAt(d, ['entities', 'Email', 'externalId']);
    });
    expect(problems.map((p) => p.place)).toEqual([
      'entities.User.attributes[0].type',
      'entities.Email.externalId',
      'entities.Email.attributes[0].type',
    ]);
  });
});

describe('relationship rules', () => {
  const scimPush = () => catalogObject('scim-2.0-push.sgnl.yaml');
  const add = (key: string, value: unknown) => (d: TemplateObject) => setAt(d, ['relationships', key], value);

  it('reports a relationship of none of the three kinds', () => {
    expect(problemsAfter(add('Odd', { name: 'Odd' }), scimPush)).toEqual([
      {
        place: 'relationships.Odd',
        message:
          'relationship Odd is none of the three kinds: give fromAttribute and toAttribute (direct), childEntity (parent/child) or path (path)',
      },
    ]);
  });

  it('reports a relationship that mixes kinds', () => {
    expect(problemsAfter(add('Odd', { childEntity: 'Email', path: [] }), scimPush)).toEqual([
      { place: 'relationships.Odd', message: 'relationship Odd mixes the fields of several kinds: parent/child (childEntity), path (path)' },
    ]);
  });

  it('reports a direct relationship missing one side, and an unknown entity', () => {
    expect(problemsAfter(add('Half', { fromAttribute: 'Nobody.id' }), scimPush)).toEqual([
      {
        place: 'relationships.Half.fromAttribute',
        message:
          'unknown entity in "Nobody.id"; expected "<entity>.<attribute>" where the entity is the key or externalId of one of: ' +
          'User, Group, GroupMember, Email, Address, PhoneNumber, IMS, Entitlement, Role, Photo, Certificate',
      },
      { place: 'relationships.Half.toAttribute', message: 'toAttribute is required' },
    ]);
  });

  it('reports an unknown child entity, and a child entity without a parent', () => {
    const problems = problemsAfter((d) => {
      add('A', { childEntity: 'Nobody' })(d);
      add('B', { childEntity: 'Group' })(d);
    }, scimPush);
    expect(problems.map((p) => [p.place, p.message])).toEqual([
      ['relationships.A.childEntity', expect.stringMatching(/^unknown entity "Nobody"; expected the key or externalId of one of: User, /)],
      ['relationships.B.childEntity', 'entity Group has no parent, so it cannot be the child of a parent/child relationship'],
    ]);
  });

  it('does not repeat an unknown parent at the parent/child relationship', () => {
    expect(problemsAfter((d) => setAt(d, ['entities', 'Email', 'parent'], 'Nobody'), scimPush).map((p) => p.place)).toEqual([
      'entities.Email.parent',
    ]);
  });

  it.each([
    [[], 'relationships.P.path', 'path must not be empty'],
    [['x'], 'relationships.P.path[0]', 'a path step must be a map with relationship and direction, found the string "x"'],
    [[{ relationship: 'ParentOfEmail', direction: 'forward' }], 'relationships.P.path[0].direction', 'unknown direction "forward"; expected Forward or Backward'],
    [[{ relationship: 'ParentOfEmail' }], 'relationships.P.path[0].direction', 'direction is required'],
    [[{ direction: 'Forward' }], 'relationships.P.path[0].relationship', 'relationship is required'],
  ])('path %j', (path, place, message) => {
    expect(problemsAfter(add('P', { path }), scimPush)).toEqual([{ place, message }]);
  });

  it('reports consecutive steps that do not connect, naming both ends', () => {
    const path = [
      { relationship: 'UserToGroupMember', direction: 'Forward' },
      { relationship: 'ParentOfEmail', direction: 'Forward' },
    ];
    expect(problemsAfter(add('P', { path }), scimPush)).toEqual([
      {
        place: 'relationships.P.path[1].relationship',
        message:
          'steps do not connect: path[0] (UserToGroupMember, Forward) ends at entity GroupMember, ' +
          'but path[1] (ParentOfEmail, Forward) starts at entity Email',
      },
    ]);
  });

  it('follows directions: Backward parent/child goes from parent to child', () => {
    const path = [
      { relationship: 'ParentOfEmail', direction: 'Backward' },
      { relationship: 'ParentOfEmail', direction: 'Forward' },
      { relationship: 'UserGroups', direction: 'Forward' },
      { relationship: 'UserGroups', direction: 'Backward' },
    ];
    expect(problemsAfter(add('P', { path }), scimPush)).toEqual([]);
  });

  it('reports a path that refers to itself', () => {
    expect(problemsAfter(add('Self', { path: [{ relationship: 'Self', direction: 'Forward' }] }), scimPush)).toEqual([
      { place: 'relationships.Self.path[0].relationship', message: 'path relationships refer to each other in a cycle: Self → Self' },
    ]);
  });

  it('reports a longer cycle once, where it is entered', () => {
    const problems = problemsAfter((d) => {
      add('A', { path: [{ relationship: 'UserGroups', direction: 'Forward' }, { relationship: 'B', direction: 'Forward' }] })(d);
      add('B', { path: [{ relationship: 'C', direction: 'Forward' }] })(d);
      add('C', { path: [{ relationship: 'B', direction: 'Backward' }] })(d);
    }, scimPush);
    expect(problems).toEqual([
      { place: 'relationships.B.path[0].relationship', message: 'path relationships refer to each other in a cycle: B → C → B' },
    ]);
  });

  it('does not take inherited object members for relationships', () => {
    const problems = problemsAfter(add('P', { path: [{ relationship: 'constructor', direction: 'Forward' }] }), scimPush);
    expect(problems.map((p) => [p.place, p.message.slice(0, 36)])).toEqual([
      ['relationships.P.path[0].relationship', 'unknown relationship "constructor"; '],
    ]);
  });

  it('reports a relationship that is not a map', () => {
    expect(problemsAfter(add('X', 'User.id'), scimPush)).toEqual([
      { place: 'relationships.X', message: 'relationship X must be a map, found the string "User.id"' },
    ]);
  });
});
