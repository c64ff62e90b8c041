import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { GROUP_SCHEMA, USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

/** Requests as Okta's SCIM 2.0 provisioning sends them (Okta SCIM 2.0 reference and its test suite, Runscope). */
describe.each(backends({ sqliteFile: true }))('Okta provisioning on $name', (backend) => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness(backend);
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const oktaUser = (userName: string) => ({
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Okta', familyName: 'Tester' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Okta Tester',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true,
  });

  it('looks a user up by userName before creating it: 200 with totalResults 0 when none', async () => {
    const lookup = await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "okta.new@example.com"')}&startIndex=1&count=100`);
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('creates with Content-Type application/json, finds it, and gets 409 for the duplicate', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: `/scim/v2/${h.sorId}/Users`,
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/scim+json' },
      payload: JSON.stringify(oktaUser('okta.create@example.com')),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().password).toBeUndefined();
    const found = (await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "okta.create@example.com"')}&startIndex=1&count=100`)).json();
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0].id).toBe(created.json().id);
    const duplicate = await h.scim('POST', '/Users', oktaUser('okta.create@example.com'));
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().scimType).toBe('uniqueness');
  });

  it('updates a profile with GET then a full PUT', async () => {
    const id = await h.createUser('okta.put@example.com', { name: { givenName: 'Old', familyName: 'Name' } });
    const current = (await h.scim('GET', `/Users/${id}`)).json();
    const put = await h.scim('PUT', `/Users/${id}`, { ...current, name: { givenName: 'New', familyName: 'Name' }, password: 't1meMa$heen' });
    expect(put.statusCode).toBe(200);
    expect(put.json().name).toEqual({ givenName: 'New', familyName: 'Name' });
    expect((await h.node('User', id)).json().attributes.givenName).toBe('New');
  });

  it('deactivates with a no-path replace {"active": false}', async () => {
    const id = await h.createUser('okta.deactivate@example.com', { active: true });
    const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] };
    const response = await h.scim('PATCH', `/Users/${id}`, body);
    expect(response.statusCode).toBe(200);
    expect(response.json().active).toBe(false);
    expect((await h.node('User', id)).json().attributes.active).toBe(false);
  });

  it('pushes a group: replace {id, displayName}, then member remove by filter and add without type', async () => {
    const [alice, bob, carol] = await Promise.all(['okta.alice', 'okta.bob', 'okta.carol'].map((name) => h.createUser(`${name}@example.com`)));
    const id = await h.createGroup('Okta Group', [alice!, bob!]);
    const rename = await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'replace', value: { id, displayName: 'Okta Group Renamed' } }));
    expect(rename.statusCode).toBe(204);
    const members = await h.scim(
      'PATCH',
      `/Groups/${id}`,
      patchOp(
        { op: 'remove', path: `members[value eq "${alice}"]` },
        { op: 'remove', path: `members[value eq "${bob}"]`, value: [{ value: bob, display: 'okta.bob@example.com' }] },
        { op: 'add', path: 'members', value: [{ value: carol, display: 'okta.carol@example.com' }] },
      ),
    );
    expect(members.statusCode).toBe(204);
    const group = (await h.scim('GET', `/Groups/${id}`)).json();
    expect(group.displayName).toBe('Okta Group Renamed');
    expect(group.members).toEqual([{ value: carol, display: 'okta.carol@example.com' }]);
    const children = (await h.node('Group', id)).json().children.GroupMember;
    expect(children.map((child: { id: string }) => child.id)).toEqual([`${id}:${carol}`]);
  });

  it('imports users in pages of 100 in a stable order', async () => {
    const own = await h.newSor();
    const request = (path: string) => h.app.inject({ method: 'GET', url: `/scim/v2/${own.sorId}${path}`, headers: { authorization: `Bearer ${own.token}` } });
    for (let index = 0; index < 250; index++) {
      const response = await h.app.inject({
        method: 'POST',
        url: `/scim/v2/${own.sorId}/Users`,
        headers: { authorization: `Bearer ${own.token}`, 'content-type': 'application/scim+json' },
        payload: { schemas: [USER_SCHEMA], userName: `import-${index}@example.com` },
      });
      expect(response.statusCode).toBe(201);
    }
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 250; startIndex += 100) {
      const page = (await request(`/Users?startIndex=${startIndex}&count=100`)).json();
      expect(page.totalResults).toBe(250);
      expect(page.startIndex).toBe(startIndex);
      seen.push(...page.Resources.map((user: { id: string }) => user.id));
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual([...seen].sort());
    const again = (await request('/Users?startIndex=101&count=100')).json();
    expect(again.Resources.map((user: { id: string }) => user.id)).toEqual(seen.slice(100, 200));
  });

  it('reads groups with the group schema', async () => {
    const id = await h.createGroup('Okta Read');
    const group = (await h.scim('GET', `/Groups/${id}`)).json();
    expect(group.schemas).toEqual([GROUP_SCHEMA]);
    expect(group.members).toBeUndefined();
  });
});
