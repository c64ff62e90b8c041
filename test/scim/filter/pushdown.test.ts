import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimResourceRecord } from '../../../src/graph/scim-resources.js';
import type { GraphStore } from '../../../src/graph/store.js';
import { checkFilter, matchesFilter, parseFilter } from '../../../src/scim/filter/index.js';
import { renderResource } from '../../../src/scim/render.js';
import { readResource } from '../../../src/scim/resource-document.js';
import { backends } from '../../support/backends.js';
import { sorRecord } from '../../support/sor-record.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const BASE = 'https://pushgraph.test/scim/v2/sor-filters';

/**
 * Users and Groups chosen to sit on the edges of the SQL translation: booleans present or not, text whose
 * case folds differently outside ASCII (Kelvin sign, dotted I), characters above U+D800, empty values, and
 * meta times stored in other forms than toISOString's (an offset, no fraction, four fractional digits).
 */
const USERS: { body: Record<string, unknown>; created: string; modified: string }[] = [
  {
    body: {
      userName: 'ada',
      active: true,
      title: 'Engineer',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }, { value: 'ada@home.org', type: 'home' }],
      [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'm1' } },
    },
    created: '2024-06-01T12:00:00.000Z',
    modified: '2025-01-01T00:00:00.000Z',
  },
  {
    body: { userName: 'bob', active: 'False', title: 'manager', emails: [{ value: 'BOB@Example.org', type: 'Work', primary: false }] },
    created: '2025-01-01T00:00:00.000Z',
    modified: '2025-01-01T00:00:00.001Z',
  },
  {
    body: { userName: 'carol', title: 'Ingénieur', displayName: 'Çarol', emails: [{ value: 'c@home.org', type: 'home' }], name: { familyName: 'Danvers' } },
    created: '2025-01-01T01:00:00+01:00',
    modified: '2025-03-01T00:00:00Z',
  },
  {
    body: { userName: 'dave', title: '\u212Aelvin', nickName: '', [ENTERPRISE]: { employeeNumber: '' } },
    created: '2024-12-31T23:59:59.9999Z',
    modified: '2025-06-15T10:30:00.123456Z',
  },
  {
    body: { userName: 'erin', active: true, title: 'İstanbul', emails: [], name: {} },
    created: '2025-01-01T00:00:00Z',
    modified: '2025-01-01T00:00:00Z',
  },
  {
    body: { userName: 'frank', title: '😀 smile', userType: '\uE000x', emails: [{ type: 'work' }] },
    created: '2026-02-01T00:00:00.000Z',
    modified: '2026-02-01T00:00:00.000Z',
  },
  {
    body: {
      userName: 'gina',
      active: false,
      title: 'zeta',
      emails: [{ value: 'g@example.com', type: 'work' }, { value: 'gina@example.com', type: 'other', primary: true }],
      [ENTERPRISE]: { manager: { displayName: 'Boss' } },
    },
    created: '1999-12-31T23:59:59.999Z',
    modified: '2000-01-01T00:00:00.000Z',
  },
  { body: { userName: '2024-01-01T00:00:00.000Z', externalId: '2024-01-01T00:00:00Z' }, created: '2023-01-01T00:00:00.000Z', modified: '2023-01-01T00:00:00.000Z' },
  { body: { userName: 'ｚｅｄ' }, created: '2023-01-01T00:00:00.000Z', modified: '2023-01-01T00:00:00.000Z' },
  { body: { userName: '😀moji' }, created: '2023-01-01T00:00:00.000Z', modified: '2023-01-01T00:00:00.000Z' },
  ...['hal', 'ivy', 'jon', 'kim'].map((userName, index) => ({
    body: { userName, active: index % 2 === 0, title: index % 2 === 0 ? 'Engineer' : 'Analyst', emails: [{ value: `${userName}@example.net`, type: 'work' }] },
    created: `2023-0${index + 1}-01T00:00:00.000Z`,
    modified: `2023-0${index + 1}-02T00:00:00.000Z`,
  })),
];

const GROUPS: { body: Record<string, unknown>; created: string; modified: string }[] = [
  { body: { displayName: 'Builders', externalId: 'g-1' }, created: '2024-01-01T00:00:00.000Z', modified: '2025-02-01T00:00:00.000Z' },
  { body: { displayName: 'Cleaners' }, created: '2025-01-01T00:00:00.000Z', modified: '2025-01-01T00:00:00.000Z' },
  { body: { displayName: 'Ωmega', externalId: 'g-3' }, created: '2025-05-05T05:05:05.555Z', modified: '2025-05-05T05:05:05.555Z' },
];

/**
 * How far SQL should get: `exact` pushed down on both backends; `sqlite` pushed down on SQLite and narrowed on
 * PostgreSQL, which folds case otherwise; `sqlite-only` the same but a full scan on PostgreSQL (`not` of a
 * superset); `narrowed` fewer candidates than resources; `-` nothing asserted.
 */
type Reach = 'exact' | 'sqlite' | 'sqlite-only' | 'narrowed' | '-';

const USER_FILTERS: [string, Reach][] = [
  // Booleans.
  ['active eq true', 'exact'],
  ['active eq false', 'exact'],
  ['active ne true', 'exact'],
  ['active ne false', 'exact'],
  ['active pr', 'exact'],
  ['not (active pr)', 'exact'],
  ['active eq null', 'exact'],
  ['active ne null', 'exact'],
  ['active eq "true"', 'exact'],
  ['active ne "true"', 'exact'],
  ['active eq 1', 'exact'],
  ['not (active eq true)', 'exact'],
  ['emails[primary eq true]', 'exact'],
  ['emails[primary eq false]', 'exact'],
  ['emails.primary eq true', 'exact'],
  ['emails.primary ne true', 'exact'],
  ['emails[primary pr]', 'exact'],
  ['emails[type eq "work" and primary eq true]', 'sqlite'],
  ['emails[not (primary eq true)]', 'exact'],
  ['emails[primary ne true and value pr]', 'exact'],
  ['active eq true and title sw "e"', 'sqlite'],
  ['active eq false or emails[primary eq true]', 'exact'],
  // Date-times, compared as instants against the created_at/modified_at columns.
  ['meta.lastModified gt "2025-01-01T00:00:00Z"', 'exact'],
  ['meta.lastModified ge "2025-01-01T00:00:00Z"', 'exact'],
  ['meta.lastModified eq "2025-01-01T00:00:00Z"', 'exact'],
  ['meta.lastModified eq "2025-01-01T01:00:00+01:00"', 'exact'],
  ['meta.lastModified ne "2025-01-01T00:00:00.000Z"', 'exact'],
  ['meta.created lt "2025-01-01T00:00:00.000Z"', 'exact'],
  ['meta.created le "2025-01-01T00:00:00Z"', 'exact'],
  ['meta.created eq "2025-01-01T00:00:00Z"', 'exact'],
  ['meta.created eq "2025-01-01t00:00:00z"', 'exact'],
  ['meta.created gt "2024-12-31T23:59:59.999Z"', 'exact'],
  ['meta.created ge "2024-12-31T23:59:59.9989Z"', 'exact'],
  ['meta.created lt "2024-12-31T23:59:59.9999Z"', 'exact'],
  ['meta.created eq "2024-12-31T23:59:59.999Z"', 'exact'],
  ['meta.lastModified lt "2025-06-15T10:30:00.124Z"', 'exact'],
  ['meta.lastModified gt "2025-06-15T10:30:00.123Z"', 'exact'],
  ['meta.lastModified eq "2025-06-15T10:30:00.123Z"', 'exact'],
  ['meta.created gt "2024-12-31T10:00:00-14:00"', 'exact'],
  ['meta.created gt "0000-01-01T00:00:00+01:00"', 'exact'],
  ['meta.created lt "9999-12-31T23:59:59.999Z"', 'exact'],
  ['meta.created gt "2025-01-01"', 'sqlite'],
  ['meta.created lt "2025"', 'sqlite'],
  ['meta.created sw "2025-01"', 'sqlite'],
  ['meta.created co "t00:00"', 'sqlite'],
  ['meta.created ew "Z"', 'sqlite'],
  ['meta.created pr', 'exact'],
  ['meta.created eq null', 'exact'],
  ['meta.created eq 5', 'exact'],
  ['meta.created ne 5', 'exact'],
  ['not (meta.created gt "2025-01-01T00:00:00Z")', 'exact'],
  ['meta.lastModified gt "2025-01-01T00:00:00Z" and active eq true', 'exact'],
  ['meta.lastModified gt "2025-01-01T00:00:00Z" or title eq "engineer"', 'sqlite'],
  ['meta.resourceType eq "User"', 'exact'],
  ['meta.resourceType eq "user"', 'exact'],
  ['meta.resourceType ne "Group"', 'exact'],
  ['meta.resourceType pr and active eq true', 'exact'],
  // pr and null.
  ['title pr', 'exact'],
  ['nickName pr', 'exact'],
  ['nickName eq null', 'exact'],
  ['name pr', 'narrowed'],
  ['name eq null', '-'],
  ['emails pr', 'narrowed'],
  ['emails eq null', '-'],
  ['emails.value pr', 'exact'],
  ['emails.value eq null', 'exact'],
  ['emails[value pr]', 'exact'],
  ['name.givenName pr', 'exact'],
  [`${ENTERPRISE}:employeeNumber pr`, 'exact'],
  [`${ENTERPRISE}:manager pr`, 'narrowed'],
  [`${ENTERPRISE}:manager.value pr`, 'exact'],
  [`${ENTERPRISE}:manager.displayName eq null`, 'exact'],
  // Strings, case-folded unless caseExact.
  ['title eq "engineer"', 'sqlite'],
  ['title eq "kelvin"', 'sqlite'],
  ['title eq "i̇stanbul"', 'sqlite'],
  ['title co "STANBUL"', 'sqlite'],
  ['title sw ""', 'exact'],
  ['title ne "engineer"', 'sqlite'],
  ['not (title eq "Engineer")', 'sqlite-only'],
  ['title eq 5', 'exact'],
  ['title ne 5', 'exact'],
  ['emails.value ne "bob@example.org"', 'sqlite'],
  ['emails co "example"', 'sqlite'],
  ['emails.type eq "work"', 'sqlite'],
  ['not (emails[type eq "work"])', 'sqlite-only'],
  ['emails[not (type eq "work")]', 'sqlite'],
  ['emails[type eq "work"].value ew ".com"', 'sqlite'],
  [`${ENTERPRISE}:manager eq "M1"`, 'sqlite'],
  // Ordering.
  ['title gt "m"', 'sqlite'],
  ['title ge "Manager"', 'sqlite'],
  ['title lt "Engineer"', 'sqlite'],
  ['title le "engineer"', 'sqlite'],
  ['title gt "ingénieur"', 'sqlite'],
  ['title lt "İ"', 'sqlite'],
  ['title gt "kelvin"', 'sqlite'],
  ['title lt "😀"', '-'],
  ['title gt "\uE000"', '-'],
  ['userType gt "ÿ"', 'sqlite'],
  ['userType lt "\uF000"', '-'],
  ['name.familyName gt "l"', 'sqlite'],
  ['emails.value gt "c"', 'sqlite'],
  ['emails[value lt "c"]', 'sqlite'],
  [`${ENTERPRISE}:employeeNumber ge "7"`, 'sqlite'],
  ['title gt 5', 'exact'],
  ['title gt "2025-01-01T00:00:00Z"', '-'],
  // Columns.
  ['userName eq "2024-01-01t00:00:00z"', '-'],
  ['userName ge "2024-01-01T00:00:00+01:00"', '-'],
  ['externalId eq "2024-01-01T00:00:00.000Z"', '-'],
  ['userName lt "😀"', '-'],
  ['userName gt "\uFFFD"', '-'],
  ['userName gt "ｚ"', '-'],
  ['userName gt "z"', 'exact'],
  ['urn:ietf:params:scim:schemas:core:2.0:User:title eq "Engineer"', 'sqlite'],
  // Left to the evaluator.
  ['not (active eq true or title pr)', 'exact'],
  ['not (name pr)', '-'],
  ['x-custom eq "a"', '-'],
];

const GROUP_FILTERS: [string, Reach][] = [
  ['meta.created gt "2024-06-01T00:00:00Z"', 'exact'],
  ['meta.lastModified le "2025-01-01T00:00:00Z"', 'exact'],
  ['meta.resourceType eq "Group"', 'exact'],
  ['meta.resourceType eq "User"', 'exact'],
  ['displayName sw "b" or meta.created eq "2025-05-05T05:05:05.555Z"', 'exact'],
  ['externalId pr and meta.lastModified lt "2025-03-01T00:00:00Z"', 'exact'],
  ['meta.created sw "2025"', 'sqlite'],
  ['displayName gt "c"', 'exact'],
];

describe.each(backends())('SCIM filters in SQL agree with matchesFilter on $name', (backend) => {
  let store: GraphStore;
  const sorId = 'sor-filters';
  const all: Record<'User' | 'Group', ScimResourceRecord[]> = { User: [], Group: [] };

  beforeAll(async () => {
    store = await backend.open();
    await store.createSystemOfRecord(sorRecord(sorId));
    for (const [type, resources] of [['User', USERS], ['Group', GROUPS]] as const) {
      const records = resources.map(({ body, created, modified }, index): ScimResourceRecord => {
        const incoming = readResource(type, body, `${type.toLowerCase()}-${String(index).padStart(2, '0')}`);
        return {
          sorId,
          resourceType: type,
          id: incoming.document.id as string,
          name: incoming.name,
          document: incoming.document,
          version: 1,
          created,
          modified,
          ...(incoming.externalId === undefined ? {} : { externalId: incoming.externalId }),
        };
      });
      expect(await store.importScimResources(sorId, records, {}, { indexedAttributes: {} })).toBe('ok');
      // As stored: PostgreSQL reads times back in toISOString's form.
      all[type] = (await store.queryScimResources(sorId, type, { count: 1000 })).resources;
    }
  });
  afterAll(async () => {
    await backend.dispose();
  });

  const cases = [...USER_FILTERS.map(([filter, reach]) => ['User', filter, reach] as const), ...GROUP_FILTERS.map(([filter, reach]) => ['Group', filter, reach] as const)];

  it.each(cases)('%s: %s', async (type, text, reach) => {
    const filter = parseFilter(text);
    checkFilter(filter);
    const matches = (record: ScimResourceRecord) => matchesFilter(renderResource(record, BASE), filter);
    const expected = all[type].filter(matches).map((record) => record.id);
    let candidates = 0;
    const counted = (record: ScimResourceRecord) => {
      candidates++;
      return matches(record);
    };
    const result = await store.queryScimResources(sorId, type, { filter, count: 1000, matches: counted });
    expect(result.resources.map((record) => record.id)).toEqual(expected);
    expect(result.total).toBe(expected.length);

    // A page from the middle, as startIndex=2&count=2 reads it, pushed down or not.
    const page = await store.queryScimResources(sorId, type, { filter, count: 2, offset: 1, matches });
    expect({ ids: page.resources.map((record) => record.id), total: page.total }).toEqual({ ids: expected.slice(1, 3), total: expected.length });

    const sqlite = backend.kind === 'sqlite';
    if (reach === 'exact' || (sqlite && reach.startsWith('sqlite'))) expect(result.pushedDown).toBe(true);
    else if ((reach === 'sqlite' || reach === 'narrowed') && expected.length < all[type].length) expect(candidates).toBeLessThan(all[type].length);
  });
});
