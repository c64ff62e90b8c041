import { describe, expect, it } from 'vitest';
import type { NodeTree } from '../../src/graph/store.js';
import { EXPECTED } from '../../src/mapping/convert.js';
import { mapEntity, type MappingError, type MappingResult } from '../../src/mapping/map-entity.js';
import { getBuiltinTemplate } from '../../src/template/builtin.js';
import { parseTemplate } from '../../src/template/load.js';
import type { Template } from '../../src/template/model.js';
import { readSeedYaml } from '../template/catalog.js';

const seed = parseTemplate(readSeedYaml());
const scimPush = parseTemplate(getBuiltinTemplate('scim-2.0-push')!.yaml);

function nodeOf(result: MappingResult): NodeTree {
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.node;
}

function errorsOf(result: MappingResult): MappingError[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.node)}`);
  return result.errors;
}

/** The SET from SGNL's Entity Push documentation (seed 001). */
function seedSet(data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: '4d3559ec67504aaba65d40b0363faad8',
    iat: 1458496404,
    iss: 'https://scim.example.com',
    aud: ['https://events.sgnlapis.cloud/events/scim/v1/2819c223-7f76-453a-919d-413861904646'],
    sub_id: { format: 'scim', uri: '/Users/44f6142df96bd6ab61e7521d9', externalId: 'jdoe', id: '100' },
    events: {
      'urn:ietf:params:SCIM:event:prov:create:full': {
        data: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          emails: [{ type: 'work', value: 'jdoe@example.com' }],
          userName: 'jdoe@example.com',
          name: { givenName: 'John', familyName: 'Doe' },
          enabled: false,
          ...data,
        },
      },
    },
  };
}

const EVENT_DATA = "$['events']['urn:ietf:params:SCIM:event:prov:create:full']['data']";

/** A small push template for rule tests; `extra` adds entities. */
function template(attributes: Record<string, unknown>[], extra: Record<string, unknown> = {}): Template {
  return parseTemplate({
    displayName: 'Test',
    entities: {
      Thing: { externalId: 'Things', attributes: [{ name: 'id', externalId: 'id', type: 'String', uniqueId: true }, ...attributes] },
      ...extra,
    },
  });
}

describe('the seed Entity Push template with the seed SET', () => {
  it('maps to a User node with id "100" and one Email child', () => {
    expect(nodeOf(mapEntity(seed, 'User', seedSet()))).toEqual({
      entity: 'User',
      id: '100',
      attributes: { userName: 'jdoe@example.com', id: '100', enabled: false },
      children: [{ entity: 'Email', id: '100:jdoe@example.com', attributes: { type: 'work', value: 'jdoe@example.com' }, children: [] }],
    });
  });

  it('does not quote an integer that JSON parsing has already rounded', () => {
    const [error] = errorsOf(mapEntity(seed, 'User', seedSet({ userName: JSON.parse('9007199254740993') })));
    expect(error!.message).toMatch(/found an integer beyond ±\(2\^53-1\), which cannot be read exactly/);
    expect(error!.message).not.toMatch(/9007199254740992/);
  });

  it('reports a wrong type with the attribute, path, value and expected type', () => {
    expect(errorsOf(mapEntity(seed, 'User', seedSet({ enabled: 'yes' })))).toEqual([
      {
        entity: 'User',
        attribute: 'enabled',
        path: `${EVENT_DATA}['enabled']`,
        value: 'yes',
        expected: EXPECTED.Bool,
        message: `User.enabled: expected ${EXPECTED.Bool} at ${EVENT_DATA}['enabled'], found the string "yes"`,
      },
    ]);
  });

  it('accepts Entra-style string booleans', () => {
    expect(nodeOf(mapEntity(seed, 'User', seedSet({ enabled: 'False' }))).attributes.enabled).toBe(false);
  });

  it('reports values matched by several events as "matched multiple values"', () => {
    const set = seedSet();
    (set.events as Record<string, unknown>)['urn:ietf:params:SCIM:event:prov:put:full'] = { data: { userName: 'other' } };
    expect(errorsOf(mapEntity(seed, 'User', set))).toEqual([
      {
        entity: 'User',
        attribute: 'userName',
        path: '$.events.*.data.userName',
        value: ['jdoe@example.com', 'other'],
        message:
          `User.userName: $.events.*.data.userName matched multiple values (2: ${EVENT_DATA}['userName'], ` +
          "$['events']['urn:ietf:params:SCIM:event:prov:put:full']['data']['userName']); a non-list attribute takes one value",
      },
    ]);
  });

  it('reports a missing uniqueId value', () => {
    const set = seedSet();
    delete (set.sub_id as Record<string, unknown>).id;
    expect(errorsOf(mapEntity(seed, 'User', set))).toEqual([
      {
        entity: 'User',
        attribute: 'id',
        path: '$.sub_id.id',
        message: 'User.id: the uniqueId attribute has no value at $.sub_id.id; the node needs an id',
      },
    ]);
  });

  it('collects every error of the document', () => {
    const errors = errorsOf(mapEntity(seed, 'User', seedSet({ userName: 7, enabled: 'maybe', emails: [{ value: 3 }, 'x'] })));
    expect(errors.map((e) => [e.entity, e.attribute, e.path])).toEqual([
      ['User', 'userName', `${EVENT_DATA}['userName']`],
      ['User', 'enabled', `${EVENT_DATA}['enabled']`],
      ['Email', undefined, `${EVENT_DATA}['emails'][1]`],
      ['Email', 'value', `${EVENT_DATA}['emails'][0]['value']`],
    ]);
    expect(errors[2]!.message).toBe(
      `Email: expected an object or a list of objects at ${EVENT_DATA}['emails'][1] (from $.events.*.data.emails.*), found the string "x"`,
    );
    expect(errors[3]!.message).toBe(
      `Email.value: expected ${EXPECTED.String} at ${EVENT_DATA}['emails'][0]['value'], found the number 3`,
    );
  });
});

describe('the scim-2.0-push template with SCIM resources', () => {
  const user = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'bjensen',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', country: 'USA' }],
    phoneNumbers: null,
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"3694e05e9dff590"',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    },
  };

  it('maps a User with its emails and addresses as children', () => {
    const node = nodeOf(mapEntity(scimPush, 'User', user));
    expect(node.id).toBe('2819c223-7f76-453a-919d-413861904646');
    expect(node.attributes).toEqual({
      id: '2819c223-7f76-453a-919d-413861904646',
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId: 'bjensen',
      userName: 'bjensen@example.com',
      formattedName: 'Ms. Barbara J Jensen III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      active: true,
      resourceType: 'User',
      created: '2010-01-23T04:56:22.000Z',
      lastModified: '2011-05-13T04:42:34.000Z',
      version: 'W/"3694e05e9dff590"',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    });
    expect(node.children.map((c) => [c.entity, c.id, c.attributes])).toEqual([
      ['Email', `${user.id}:bjensen@example.com`, { value: 'bjensen@example.com', type: 'work', primary: true }],
      ['Email', `${user.id}:babs@jensen.org`, { value: 'babs@jensen.org', type: 'home' }],
      [
        'Address',
        `${user.id}:work`,
        { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', country: 'USA' },
      ],
    ]);
  });

  it('maps a Group with its members as children', () => {
    const group = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
      displayName: 'Tour Guides',
      members: [
        { value: '2819c223-7f76-453a-919d-413861904646', $ref: 'https://example.com/v2/Users/2819c223', display: 'Babs Jensen' },
        { value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge', type: 'User' },
      ],
    };
    const node = nodeOf(mapEntity(scimPush, 'Group', group));
    expect(node).toMatchObject({ entity: 'Group', id: group.id, attributes: { displayName: 'Tour Guides' } });
    expect(node.children).toEqual([
      {
        entity: 'GroupMember',
        id: `${group.id}:2819c223-7f76-453a-919d-413861904646`,
        attributes: { value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen', ref: 'https://example.com/v2/Users/2819c223' },
        children: [],
      },
      {
        entity: 'GroupMember',
        id: `${group.id}:902c246b-6245-4190-8e05-00816be7344a`,
        attributes: { value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge', type: 'User' },
        children: [],
      },
    ]);
  });

  it('reports wrong types precisely', () => {
    const errors = errorsOf(mapEntity(scimPush, 'User', { ...user, active: 'sometimes', meta: { created: 'last week' }, schemas: [5] }));
    expect(errors.map((e) => e.message)).toEqual([
      `User.schemas: expected ${EXPECTED.String} at $['schemas'][0], found the number 5`,
      `User.active: expected ${EXPECTED.Bool} at $['active'], found the string "sometimes"`,
      `User.created: expected ${EXPECTED.DateTime} at $['meta']['created'], found the string "last week"`,
    ]);
  });

  it('reports a non-list attribute that matched a list or a map', () => {
    const errors = errorsOf(mapEntity(scimPush, 'User', { ...user, userName: ['a', 'b'], displayName: { x: 1 } }));
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ["$['userName']", `User.userName: expected ${EXPECTED.String} at $['userName'], found a list`],
      ["$['displayName']", `User.displayName: expected ${EXPECTED.String} at $['displayName'], found a map`],
    ]);
  });
});

describe('attribute rules', () => {
  const list = template([{ name: 'tags', externalId: 'tags', type: 'String', list: true }]);
  const single = template([{ name: 'count', externalId: '$..count', type: 'Int64' }]);

  it.each([
    [{ id: 'a', tags: ['x', 'y'] }, ['x', 'y']],
    [{ id: 'a', tags: 'x' }, ['x']],
    [{ id: 'a', tags: ['x', null, 'y'] }, ['x', 'y']],
    [{ id: 'a', tags: [] }, []],
    [{ id: 'a', tags: null }, undefined],
    [{ id: 'a' }, undefined],
  ])('list attribute: %j gives %j', (document, tags) => {
    expect(nodeOf(mapEntity(list, 'Thing', document)).attributes.tags).toEqual(tags);
  });

  it('flattens every match of a list attribute one level', () => {
    const many = template([{ name: 'tags', externalId: '$..tags', type: 'String', list: true }]);
    const document = { id: 'a', tags: ['x'], nested: { tags: ['y', 'z'], deeper: { tags: 'w' } } };
    expect(nodeOf(mapEntity(many, 'Thing', document)).attributes.tags).toEqual(['x', 'y', 'z', 'w']);
  });

  it('rejects nested lists in a list attribute', () => {
    expect(errorsOf(mapEntity(list, 'Thing', { id: 'a', tags: [['x']] })).map((e) => e.message)).toEqual([
      `Thing.tags: expected ${EXPECTED.String} at $['tags'][0], found a list`,
    ]);
  });

  it.each([
    [{ id: 'a', count: 3 }, 3],
    [{ id: 'a', count: null }, undefined],
    [{ id: 'a' }, undefined],
    [{ id: 'a', count: 3, other: { count: null } }, 3],
  ])('non-list attribute: %j gives %j', (document, count) => {
    expect(nodeOf(mapEntity(single, 'Thing', document)).attributes.count).toEqual(count);
  });

  it('reports how many values a non-list attribute matched', () => {
    const errors = errorsOf(mapEntity(single, 'Thing', { id: 'a', count: 1, x: { count: 2 }, y: [{ count: 3 }] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ attribute: 'count', path: '$..count', value: [1, 2, 3] });
    expect(errors[0]!.message).toBe(
      "Thing.count: $..count matched multiple values (3: $['count'], $['x']['count'], $['y'][0]['count']); " +
        'a non-list attribute takes one value',
    );
  });

  it('uses a non-string uniqueId as a string id', () => {
    const numbered = parseTemplate({
      displayName: 'T',
      entities: { Thing: { externalId: 'Things', attributes: [{ name: 'n', externalId: 'n', type: 'Int64', uniqueId: true }] } },
    });
    expect(nodeOf(mapEntity(numbered, 'Thing', { n: 42 })).id).toBe('42');
  });

  it('does not repeat a uniqueId conversion error as a missing id', () => {
    expect(errorsOf(mapEntity(list, 'Thing', { id: 5 })).map((e) => e.message)).toEqual([
      `Thing.id: expected ${EXPECTED.String} at $['id'], found the number 5`,
    ]);
  });

  it.each(['Nope', 'constructor'])('answers an unknown entity %j with an error', (key) => {
    expect(errorsOf(mapEntity(list, key, {}))).toEqual([{ entity: key, path: '$', message: `the template has no entity "${key}"` }]);
  });
});

describe('child entity rules', () => {
  const entry = (extra: Record<string, unknown> = {}) => ({
    Entry: {
      parent: 'Thing',
      externalId: 'entries',
      attributes: [{ name: 'v', externalId: 'v', type: 'String' }],
      ...extra,
    },
  });

  it('identifies children without a uniqueId by position', () => {
    const positional = template([], entry());
    const node = nodeOf(mapEntity(positional, 'Thing', { id: 't', entries: [{ v: 'a' }, null, { v: 'b' }] }));
    expect(node.children.map((c) => [c.id, c.attributes])).toEqual([
      ['t:0', { v: 'a' }],
      ['t:1', { v: 'b' }],
    ]);
  });

  it('takes a matched object itself, and drops a matched null', () => {
    const positional = template([], entry());
    expect(nodeOf(mapEntity(positional, 'Thing', { id: 't', entries: { v: 'only' } })).children).toEqual([
      { entity: 'Entry', id: 't:0', attributes: { v: 'only' }, children: [] },
    ]);
    expect(nodeOf(mapEntity(positional, 'Thing', { id: 't', entries: null })).children).toEqual([]);
  });

  it('rejects a matched value that is neither a list nor an object', () => {
    const positional = template([], entry());
    expect(errorsOf(mapEntity(positional, 'Thing', { id: 't', entries: 'x' }))).toEqual([
      {
        entity: 'Entry',
        path: "$['entries']",
        value: 'x',
        expected: 'an object or a list of objects',
        message: `Entry: expected an object or a list of objects at $['entries'] (from entries), found the string "x"`,
      },
    ]);
  });

  it('lets the later of two children with the same id win', () => {
    const keyed = template([], entry({ attributes: [{ name: 'v', externalId: 'v', type: 'String', uniqueId: true }, { name: 'n', externalId: 'n', type: 'Int64' }] }));
    const node = nodeOf(mapEntity(keyed, 'Thing', { id: 't', entries: [{ v: 'a', n: 1 }, { v: 'b', n: 2 }, { v: 'a', n: 3 }] }));
    expect(node.children.map((c) => [c.id, c.attributes.n])).toEqual([
      ['t:a', 3],
      ['t:b', 2],
    ]);
  });

  it('reports a child whose uniqueId has no value, saying where', () => {
    const keyed = template([], entry({ attributes: [{ name: 'v', externalId: 'v', type: 'String', uniqueId: true }] }));
    expect(errorsOf(mapEntity(keyed, 'Thing', { id: 't', entries: [{ v: 'a' }, { w: 'b' }] }))).toEqual([
      {
        entity: 'Entry',
        attribute: 'v',
        path: "$['v']",
        message: "Entry.v: the uniqueId attribute has no value at $['v'] under $['entries'][1]; the node needs an id",
      },
    ]);
  });

  it('skips, when asked, the children whose uniqueId has no value, keeping the keyed ones', () => {
    const keyed = template([], entry({ attributes: [{ name: 'v', externalId: 'v', type: 'String', uniqueId: true }, { name: 'n', externalId: 'n', type: 'Int64' }] }));
    const node = nodeOf(mapEntity(keyed, 'Thing', { id: 't', entries: [{ v: 'a' }, { n: 2 }, { v: null, n: 3 }] }, { unkeyedChildren: 'skip' }));
    expect(node.children.map((c) => c.id)).toEqual(['t:a']);
  });

  it('still reports, when skipping unkeyed children, a parent without its id and a child uniqueId of the wrong type', () => {
    const keyed = template([], entry({ attributes: [{ name: 'v', externalId: 'v', type: 'Int64', uniqueId: true }] }));
    const skip = { unkeyedChildren: 'skip' } as const;
    expect(errorsOf(mapEntity(keyed, 'Thing', { entries: [{ v: 1 }] }, skip)).map((e) => e.message)).toEqual([
      'Thing.id: the uniqueId attribute has no value at $[\'id\']; the node needs an id',
    ]);
    expect(errorsOf(mapEntity(keyed, 'Thing', { id: 't', entries: [{ v: 'x' }] }, skip)).map((e) => e.attribute)).toEqual(['v']);
  });

  it('maps grandchildren relative to their parent element', () => {
    const nested = template([], {
      ...entry(),
      Detail: { parent: 'Entry', externalId: 'details', attributes: [{ name: 'k', externalId: 'k', type: 'String', uniqueId: true }] },
    });
    const node = nodeOf(mapEntity(nested, 'Thing', { id: 't', entries: [{ v: 'a', details: [{ k: 'x' }, { k: 'y' }] }], details: [{ k: 'no' }] }));
    expect(node.children).toEqual([
      {
        entity: 'Entry',
        id: 't:0',
        attributes: { v: 'a' },
        children: [
          { entity: 'Detail', id: 't:0:x', attributes: { k: 'x' }, children: [] },
          { entity: 'Detail', id: 't:0:y', attributes: { k: 'y' }, children: [] },
        ],
      },
    ]);
  });
});

describe('child node ids', () => {
  const keyedEntry = {
    Entry: { parent: 'Thing', externalId: 'entries', attributes: [{ name: 'v', externalId: 'v', type: 'String', uniqueId: true }] },
  };
  const idsOf = (t: Template, id: string, entries: unknown[]) => nodeOf(mapEntity(t, 'Thing', { id, entries })).children.map((c) => c.id);

  it('escape ":" and "%" in the parent id and the key, so no two parents share a child id', () => {
    const keyed = template([], keyedEntry);
    expect(idsOf(keyed, 'a', [{ v: 'b:c' }])).toEqual(['a:b%3Ac']);
    expect(idsOf(keyed, 'a:b', [{ v: 'c' }])).toEqual(['a%3Ab:c']);
    expect(idsOf(keyed, '50%', [{ v: '%3A' }])).toEqual(['50%25:%253A']);
    expect(idsOf(keyed, 'a', [{ v: 'b' }])).toEqual(['a:b']);
  });

  it('escape the parent id of children identified by position too', () => {
    const positional = template([], { Entry: { parent: 'Thing', externalId: 'entries', attributes: [{ name: 'v', externalId: 'v', type: 'String' }] } });
    expect(idsOf(positional, 'a:b', [{ v: 'x' }])).toEqual(['a%3Ab:0']);
    expect(idsOf(positional, 'a', [{ v: 'x' }])).toEqual(['a:0']);
  });

  it('join one escaped part per level for grandchildren, the child parent id taken as it is', () => {
    const nested = template([], {
      ...keyedEntry,
      Detail: { parent: 'Entry', externalId: 'details', attributes: [{ name: 'k', externalId: 'k', type: 'String', uniqueId: true }] },
    });
    const node = nodeOf(mapEntity(nested, 'Thing', { id: 't:u', entries: [{ v: 'a:b', details: [{ k: 'x:y' }] }] }));
    expect(node.children[0]!.id).toBe('t%3Au:a%3Ab');
    expect(node.children[0]!.children.map((c) => c.id)).toEqual(['t%3Au:a%3Ab:x%3Ay']);
  });
});

describe('mapping a child entity on its own', () => {
  it('needs a uniqueId to identify the node', () => {
    const positional = template([], {
      Entry: { parent: 'Thing', externalId: 'entries', attributes: [{ name: 'v', externalId: 'v', type: 'String' }] },
    });
    expect(errorsOf(mapEntity(positional, 'Entry', { v: 'a' }))).toEqual([
      { entity: 'Entry', path: '$', message: 'entity Entry has no uniqueId attribute, so its nodes cannot be identified on their own' },
    ]);
  });
});
