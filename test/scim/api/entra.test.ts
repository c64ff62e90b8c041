import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

/** Requests as Microsoft Entra ID's provisioning service sends them (its SCIM validator and documentation). */
describe.each(backends({ sqliteFile: true }))('Entra ID provisioning on $name', (backend) => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness(backend);
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const entraUser = (userName: string) => ({
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    displayName: 'Entra User',
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
  });

  it('creates a user and finds it with the filters Entra ID uses', async () => {
    const created = await h.scim('POST', '/Users', entraUser('entra.find@contoso.com'));
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const filters = [
      'userName eq "entra.find@contoso.com"',
      'externalId eq "entra.find"',
      'emails[type eq "work"].value eq "entra.find@contoso.com"',
      'userName eq "ENTRA.FIND@contoso.com" and externalId eq "entra.find"',
    ];
    for (const filter of filters) {
      const found = (await h.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json();
      expect({ filter, ids: found.Resources.map((user: { id: string }) => user.id) }).toEqual({ filter, ids: [id] });
    }
    expect((await h.scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "ENTRA.FIND"')}`)).json().totalResults).toBe(0);
  });

  it("creates a group from Entra ID's documented request, which lists Microsoft's ADSCIM Group extension without carrying it", async () => {
    const adscim = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
    const created = await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA, adscim], externalId: 'grp-obj-1', displayName: 'Entra Sales', meta: { resourceType: 'Group' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().schemas).toEqual([GROUP_SCHEMA]);
    // An unknown extension the body does carry is kept, like any attribute this service has no schema for.
    const carried = await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA, 'urn:example:ext:2.0:Group'], displayName: 'Entra Carried', 'urn:example:ext:2.0:Group': { costCenter: '42' } });
    expect(carried.statusCode).toBe(201);
    expect(carried.json()).toMatchObject({ schemas: [GROUP_SCHEMA, 'urn:example:ext:2.0:Group'], 'urn:example:ext:2.0:Group': { costCenter: '42' } });
  });

  it('accepts capitalised ops and booleans as strings', async () => {
    const id = (await h.scim('POST', '/Users', entraUser('entra.ops@contoso.com'))).json().id;
    const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Add', path: 'nickName', value: 'Babs' }] };
    const response = await h.scim('PATCH', `/Users/${id}`, body);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ active: false, nickName: 'Babs' });
    expect((await h.node('User', id)).json().attributes.active).toBe(false);
  });

  it('applies a no-path replace with dotted, filtered and URN-prefixed keys', async () => {
    const id = (await h.scim('POST', '/Users', entraUser('entra.nopath@contoso.com'))).json().id;
    const response = await h.scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({
        op: 'Replace',
        value: {
          displayName: 'Pvlo',
          'emails[type eq "work"].value': 'TestBcwqnm@test.microsoft.com',
          'name.givenName': 'Gtfd',
          'name.familyName': 'Pkqf',
          externalId: 'Eqpj',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Eqpj',
        },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      displayName: 'Pvlo',
      externalId: 'Eqpj',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      emails: [{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }],
      [ENTERPRISE]: { employeeNumber: 'Eqpj' },
    });
    const node = (await h.node('User', id)).json();
    expect(node.attributes).toMatchObject({ externalId: 'Eqpj', givenName: 'Gtfd', displayName: 'Pvlo' });
    expect(node.children.Email.map((email: { attributes: { value: string } }) => email.attributes.value)).toEqual(['TestBcwqnm@test.microsoft.com']);
    expect((await h.scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "Eqpj"')}`)).json().totalResults).toBe(1);
  });

  it('adds a work e-mail when replace on emails[type eq "work"].value finds none; stores a bare manager and JSON-encoded roles', async () => {
    const id = await h.createUser('entra.more@contoso.com', { emails: [{ type: 'home', value: 'home@example.org' }] });
    const response = await h.scim(
      'PATCH',
      `/Users/${id}`,
      patchOp(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: '2819c223-7f76-453a-919d-413861904646' },
        { op: 'Add', path: 'roles', value: [{ value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' }] },
      ),
    );
    expect(response.statusCode).toBe(200);
    const user = response.json();
    expect(user.emails).toEqual([{ type: 'home', value: 'home@example.org' }, { type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(user[ENTERPRISE]).toEqual({ manager: { value: '2819c223-7f76-453a-919d-413861904646' } });
    expect(user.roles).toEqual([{ value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' }]);
    const node = (await h.node('User', id)).json();
    expect(node.children.Email).toHaveLength(2);
    expect(node.children.Role).toHaveLength(1);
  });

  describe('an element left without the value its graph node is keyed by', () => {
    const emailValues = async (id: string) => ((await h.node('User', id)).json().children.Email ?? []).map((email: { attributes: { value: string } }) => email.attributes.value);

    it.each<[string, Record<string, unknown>]>([
      ['removes emails[type eq "work"].value', { op: 'Remove', path: 'emails[type eq "work"].value' }],
      ['replaces emails[type eq "work"].value with null', { op: 'Replace', path: 'emails[type eq "work"].value', value: null }],
    ])('%s: the e-mail stays in SCIM without its value, and the graph has no Email node for it', async (_name, operation) => {
      const id = await h.createUser(`entra.unkeyed.${operation.op}@contoso.com`, {
        emails: [{ type: 'work', value: 'work@contoso.com', primary: true }, { type: 'home', value: 'home@example.org' }],
      });
      const response = await h.scim('PATCH', `/Users/${id}`, patchOp(operation));
      expect(response.statusCode).toBe(200);
      expect(response.json().emails).toEqual([{ type: 'work', primary: true }, { type: 'home', value: 'home@example.org' }]);
      expect((await h.scim('GET', `/Users/${id}`)).json().emails).toEqual([{ type: 'work', primary: true }, { type: 'home', value: 'home@example.org' }]);
      expect(await emailValues(id)).toEqual(['home@example.org']);
    });

    it('removes phoneNumbers[type eq "mobile"].value', async () => {
      const id = await h.createUser('entra.phone@contoso.com', { phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }, { type: 'work', value: '+1 555 0199' }] });
      const response = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'Remove', path: 'phoneNumbers[type eq "mobile"].value' }));
      expect(response.statusCode).toBe(200);
      expect(response.json().phoneNumbers).toEqual([{ type: 'mobile' }, { type: 'work', value: '+1 555 0199' }]);
      const phones = (await h.node('User', id)).json().children.PhoneNumber;
      expect(phones.map((phone: { attributes: { value: string } }) => phone.attributes.value)).toEqual(['+1 555 0199']);
    });

    it('creates a user whose work e-mail has no value', async () => {
      const created = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'entra.novalue@contoso.com', emails: [{ type: 'work' }] });
      expect(created.statusCode).toBe(201);
      expect(created.json().emails).toEqual([{ type: 'work' }]);
      const node = (await h.node('User', created.json().id)).json();
      expect(node.attributes.userName).toBe('entra.novalue@contoso.com');
      expect(await emailValues(created.json().id)).toEqual([]);
    });
  });

  it.each([
    [`${ENTERPRISE}:manager[value eq "mgr-1"]`],
    ['manager[value eq "mgr-1"]'],
  ])('removes the manager with the value filter %s, and ignores one for another manager', async (path) => {
    const id = await h.createUser(`entra.manager.${path.length}@contoso.com`, { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Sales', manager: { value: 'mgr-1' } } });
    const other = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'Remove', path: path.replace('mgr-1', 'mgr-2') }));
    expect(other.statusCode).toBe(200);
    expect(other.json()[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: 'mgr-1' } });
    const removed = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'Remove', path }));
    expect(removed.statusCode).toBe(200);
    expect(removed.json()[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect((await h.scim('GET', `/Users/${id}`)).json()[ENTERPRISE]).toEqual({ department: 'Sales' });
  });

  it('replaces an unprefixed department in the enterprise extension', async () => {
    const id = (await h.scim('POST', '/Users', entraUser('entra.department@contoso.com'))).json().id;
    const response = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'department', value: 'Finance' }));
    expect(response.statusCode).toBe(200);
    expect(response.json().department).toBeUndefined();
    expect(response.json()[ENTERPRISE]).toEqual({ employeeNumber: '701984', department: 'Finance' });
    const found = await h.scim('GET', `/Users?filter=${encodeURIComponent(`${ENTERPRISE}:department eq "Finance"`)}`);
    expect(found.json().Resources.map((user: { id: string }) => user.id)).toEqual([id]);
  });

  it('changes several members in one PATCH, removes with a value array, and answers 204', async () => {
    const users = await Promise.all(['e1', 'e2', 'e3', 'e4'].map((name) => h.createUser(`entra.${name}@contoso.com`)));
    const created = await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Entra Group', externalId: 'eg-1', members: [] });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const add = await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) }));
    expect(add.statusCode).toBe(204);
    expect(add.body).toBe('');
    const change = await h.scim(
      'PATCH',
      `/Groups/${id}`,
      patchOp(
        { op: 'Remove', path: 'members', value: [{ $ref: null, value: users[0] }, { value: users[1] }] },
        { op: 'Replace', path: 'displayName', value: 'Entra Group Renamed' },
      ),
    );
    expect(change.statusCode).toBe(204);
    const group = (await h.scim('GET', `/Groups/${id}`)).json();
    expect(group.displayName).toBe('Entra Group Renamed');
    expect(group.members.map((member: { value: string }) => member.value).sort()).toEqual([users[2], users[3]].sort());
    const fetched = await h.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Entra Group Renamed"')}&excludedAttributes=members`);
    expect(fetched.json().Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    expect(fetched.json().Resources[0].id).toBe(id);
    expect((await h.scim('GET', `/Groups?filter=${encodeURIComponent('externalId eq "eg-1"')}`)).json().totalResults).toBe(1);
  });

  it('soft-deletes with active "False", then hard-deletes', async () => {
    const id = (await h.scim('POST', '/Users', entraUser('entra.delete@contoso.com'))).json().id;
    const soft = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(soft.json().active).toBe(false);
    expect((await h.scim('DELETE', `/Users/${id}`)).statusCode).toBe(204);
    expect((await h.scim('GET', `/Users/${id}`)).statusCode).toBe(404);
    expect((await h.node('User', id)).statusCode).toBe(404);
  });

  it('answers application/scim+json', async () => {
    const response = await h.scim('GET', '/Users?count=1', undefined, { accept: 'application/scim+json' });
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  });
});
