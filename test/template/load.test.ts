import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/template/load.js';
import type { RelationshipDef } from '../../src/template/model.js';
import {
  catalogDir,
  catalogFiles,
  catalogObject,
  readCatalogYaml,
  readSeedYaml,
  seedObject,
  sharedCatalogDir,
} from './catalog.js';

describe('catalog templates load unchanged', () => {
  it.each(catalogFiles)('%s loads from YAML text', (file) => {
    const template = parseTemplate(readCatalogYaml(file));
    expect(Object.keys(template.entities).length).toBeGreaterThan(0);
  });

  it.each(catalogFiles)('%s loads from a parsed object, keeping it as the source', (file) => {
    const parsed = catalogObject(file);
    const template = parseTemplate(parsed);
    expect(template.source).toBe(parsed);
  });

  it('the seed Entity Push template loads', () => {
    const template = parseTemplate(readSeedYaml());
    expect(template.displayName).toBe('Entity Push SoR');
    expect(template.pushType).toBe('SCIM');
    expect(template.deliveryMethod).toBe('entityPush');
  });

  it.skipIf(!existsSync(sharedCatalogDir)).each([...catalogFiles, 'LICENSE'])(
    'the copy of %s matches ../shared/fixtures/sgnl-catalog',
    (file) => {
      expect(readFileSync(join(catalogDir, file), 'utf8')).toBe(readFileSync(join(sharedCatalogDir, file), 'utf8'));
    },
  );
});

describe('top-level fields', () => {
  it('reads every field DOMAIN.md lists', () => {
    const template = parseTemplate(readSeedYaml());
    expect(template).toMatchObject({
      displayName: 'Entity Push SoR',
      description: 'Entity Push',
      hostname: 'sgnl.ai',
      defaultApiCallFrequency: 'SECONDLY',
      defaultApiCallMinInterval: 1,
      adapterConfig: 'e30=',
    });
    expect(template.icon).toMatch(/^PD94/);
  });

  it('takes the older address as the hostname, and keeps placeholders', () => {
    const template = parseTemplate(readCatalogYaml('scim-2.0-push.sgnl.yaml'));
    expect(template.hostname).toBe('https://{{Input Required: Your SCIM Server URL}}/scim/v2');
    expect(template.auth).toHaveLength(3);
    expect(template.type).toBe('SCIM2.0-1.0.0');
    expect(template.defaultSyncMinInterval).toBe(1);
  });

  it('reads the sync frequency', () => {
    expect(parseTemplate(readCatalogYaml('scim-2.0.sgnl.yaml')).defaultSyncFrequency).toBe('HOURLY');
  });

  it('prefers hostname over address', () => {
    const document = seedObject();
    document.address = 'other.example';
    expect(parseTemplate(document).hostname).toBe('sgnl.ai');
  });

  it('treats a placeholder in a typed field as not set', () => {
    const document = seedObject();
    document.defaultApiCallMinInterval = '{{Input Required: interval}}';
    document.defaultApiCallFrequency = '{{Input Required: frequency}}';
    const template = parseTemplate(document);
    expect(template.defaultApiCallMinInterval).toBeUndefined();
    expect(template.defaultApiCallFrequency).toBeUndefined();
  });

  it('tolerates unknown extra fields', () => {
    const document = seedObject();
    document.somethingNew = { nested: true };
    (document.entities as Record<string, Record<string, unknown>>).User!.futureField = 1;
    expect(() => parseTemplate(document)).not.toThrow();
  });
});

describe('entities and attributes', () => {
  const seed = parseTemplate(readSeedYaml());
  const push = parseTemplate(readCatalogYaml('scim-2.0-push.sgnl.yaml'));
  const poll = parseTemplate(readCatalogYaml('scim-2.0.sgnl.yaml'));

  it('reads entity fields', () => {
    expect(seed.entities.User).toMatchObject({
      key: 'User',
      displayName: 'Users',
      externalId: 'Users',
      pushExternalId: 'Users',
      description: '',
      pagesOrderedById: false,
      entityAlias: '62864663-0a74-4c6f-9dc8-81d2ae29bdcd',
      uniqueIdAttribute: 'id',
    });
    expect(seed.entities.Email?.pageSize).toBe(100);
  });

  it('reads attribute fields with their defaults', () => {
    const [userName] = seed.entities.User!.attributes;
    expect(userName).toMatchObject({
      name: 'userName',
      externalId: 'userName',
      pushExternalId: '$.events.*.data.userName',
      type: 'String',
      declaredType: 'String',
      indexed: true,
      uniqueId: false,
      list: false,
      attributeAlias: '1b51557d-41d8-4d46-b35b-5dbe928a8718',
    });
    const schemas = push.entities.User!.attributes.find((a) => a.name === 'schemas');
    expect(schemas).toMatchObject({ indexed: false, uniqueId: false, list: true });
  });

  it('resolves a parent named by externalId (seed) and by key (scim-2.0-push)', () => {
    expect(seed.entities.Email?.parent).toBe('User');
    expect(push.entities.GroupMember?.parent).toBe('Group');
    expect(poll.entities.GroupMember?.parent).toBe('User');
    expect(push.entities.User?.parent).toBeUndefined();
  });

  it('compiles attribute paths, quoting bare names as one member', () => {
    const user = seed.entities.User!;
    expect(user.attributes.map((a) => a.path.normalized)).toEqual([
      '$.events.*.data.userName',
      '$.sub_id.id',
      '$.events.*.data.enabled',
    ]);
    expect(push.entities.User!.attributes[0]!.path).toMatchObject({ source: 'id', normalized: "$['id']" });
  });

  it('compiles child entity paths but not top-level resource type names', () => {
    expect(seed.entities.Email?.path?.normalized).toBe('$.events.*.data.emails.*');
    expect(push.entities.GroupMember?.path?.normalized).toBe("$['members']");
    expect(push.entities.User?.path).toBeUndefined();
  });

  it('falls back to externalId when a template written for polling has no pushExternalId', () => {
    const user = poll.entities.User!;
    expect(user.pushExternalId).toBe('Users');
    const manager = user.attributes.find((a) => a.name === 'managerId')!;
    expect(manager.pushExternalId).toBe(manager.externalId);
    expect(poll.entities.Email?.path?.normalized).toBe("$['emails']");
  });

  it('treats an empty pushExternalId as absent', () => {
    const document = seedObject();
    const attributes = (document.entities as Record<string, { attributes: Record<string, unknown>[] }>).User!.attributes;
    attributes[0]!.pushExternalId = '';
    const userName = parseTemplate(document).entities.User!.attributes[0]!;
    expect(userName).toMatchObject({ pushExternalId: 'userName', path: { normalized: "$['userName']" } });
  });

  it('folds type aliases and keeps the declared type', () => {
    const document = seedObject();
    const attributes = (document.entities as Record<string, { attributes: Record<string, unknown>[] }>).User!.attributes;
    const aliases = { Integer: 'Int64', Boolean: 'Bool', Date: 'DateTime', Float: 'Double' };
    for (const [alias] of Object.entries(aliases)) {
      attributes.push({ name: `a${alias}`, externalId: alias, type: alias });
    }
    const user = parseTemplate(document).entities.User!;
    for (const [alias, type] of Object.entries(aliases)) {
      expect(user.attributes.find((a) => a.name === `a${alias}`)).toMatchObject({ type, declaredType: alias });
    }
  });

  it('lets a child entity without a uniqueId be identified by position', () => {
    const address = parseTemplate(readCatalogYaml('scim-2.0-push.sgnl.yaml')).entities.Address!;
    expect(address.uniqueIdAttribute).toBe('type');
    const document = seedObject();
    const emailAttributes = (document.entities as Record<string, { attributes: Record<string, unknown>[] }>).Email!
      .attributes;
    emailAttributes[1]!.uniqueId = false;
    const email = parseTemplate(document).entities.Email!;
    expect(email.uniqueIdAttribute).toBeUndefined();
  });

  it('indexes indexed and uniqueId attributes, plus those a direct relationship joins on', () => {
    expect(seed.entities.User?.indexedAttributes).toEqual(['userName', 'id']);
    expect(push.entities.GroupMember?.indexedAttributes).toEqual(['value']);
    const document = catalogObject('okta.sgnl.yaml');
    (document.relationships as Record<string, unknown>).ByStatus = { fromAttribute: 'User.status', toAttribute: 'Group.type' };
    const okta = parseTemplate(document);
    expect(okta.entities.User?.indexedAttributes).toEqual(['id', 'status', 'profile__email', 'profile__managerId']);
    expect(okta.entities.Group?.indexedAttributes).toEqual(['id', 'type', 'profile__name']);
  });
});

describe('relationships', () => {
  const relationshipsOf = (file: string): Record<string, RelationshipDef> => parseTemplate(readCatalogYaml(file)).relationships;

  it('reads direct relationships named by entity key and attribute name', () => {
    expect(relationshipsOf('okta.sgnl.yaml').Member).toEqual({
      kind: 'direct',
      key: 'Member',
      name: 'Member',
      displayName: 'Member',
      from: { entity: 'GroupMember', attribute: 'userId' },
      to: { entity: 'User', attribute: 'id' },
    });
  });

  it('resolves entity externalIds and attribute externalIds containing dots', () => {
    const relationships = relationshipsOf('scim-2.0.sgnl.yaml');
    expect(relationships.UserManager).toMatchObject({
      kind: 'direct',
      name: 'Manager',
      from: { entity: 'User', attribute: 'managerId' },
      to: { entity: 'User', attribute: 'id' },
    });
    expect(relationships.MemberOf).toMatchObject({
      from: { entity: 'GroupMember', attribute: 'value' },
      to: { entity: 'Group', attribute: 'id' },
    });
  });

  it('resolves entities whose externalId contains dots', () => {
    const document = catalogObject('ssfevents.caep.sgnl.yaml');
    document.relationships = {
      SameSubject: {
        fromAttribute: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked.subject',
        toAttribute: 'https://schemas.openid.net/secevent/caep/event-type/credential-change.$.sub_id.email',
      },
    };
    expect(parseTemplate(document).relationships.SameSubject).toMatchObject({
      name: 'SameSubject',
      from: { entity: 'SessionRevoked', attribute: 'subject' },
      to: { entity: 'CredentialChange', attribute: 'subject' },
    });
  });

  it('reads parent/child relationships with the child named by key or externalId', () => {
    expect(relationshipsOf('scim-2.0-push.sgnl.yaml').ParentOfGroupMember).toEqual({
      kind: 'parentChild',
      key: 'ParentOfGroupMember',
      name: 'ParentOfGroupMember',
      parentEntity: 'Group',
      childEntity: 'GroupMember',
    });
    expect(relationshipsOf('scim-2.0.sgnl.yaml').ParentOfRole).toMatchObject({ parentEntity: 'User', childEntity: 'Roles' });
  });

  it('reads path relationships', () => {
    expect(relationshipsOf('scim-2.0-push.sgnl.yaml').UserGroups).toMatchObject({
      kind: 'path',
      name: 'UserGroups',
      steps: [
        { relationship: 'UserToGroupMember', direction: 'Forward' },
        { relationship: 'ParentOfGroupMember', direction: 'Forward' },
      ],
    });
    expect(relationshipsOf('scim-2.0.sgnl.yaml').UserMemberGroup).toMatchObject({
      steps: [
        { relationship: 'ParentOfGroupMember', direction: 'Backward' },
        { relationship: 'MemberOf', direction: 'Forward' },
      ],
    });
  });

  it('accepts a path over another path relationship when the ends meet', () => {
    const document = catalogObject('okta.sgnl.yaml');
    (document.relationships as Record<string, unknown>).ManagerGroups = {
      path: [
        { relationship: 'UserManager', direction: 'Forward' },
        { relationship: 'UserMemberGroup', direction: 'Forward' },
      ],
    };
    expect(parseTemplate(document).relationships.ManagerGroups?.kind).toBe('path');
  });
});
