import { describe, expect, it } from 'vitest';
import { GROUP_APART, USER, group, message, refused, succeeds } from './fixtures.js';

describe('Group members kept apart (separateMembers)', () => {
  it('returns adds, removals and replacements in order and leaves the resource alone', () => {
    const body = message(
      { op: 'add', path: 'members', value: [{ value: 'u1', display: 'User One', type: 'User', $ref: 'https://example.com/v2/Users/u1', extra: 'dropped' }] },
      { op: 'remove', path: 'members[value eq "u2"]' },
      { op: 'remove', path: 'members' },
      { op: 'replace', path: 'members', value: [{ value: 'u3' }] },
      { op: 'replace', path: 'members', value: [] },
    );
    const result = succeeds(group(), body, GROUP_APART);
    expect(result.resource).toEqual(group());
    expect(result.modified).toBe(true);
    expect(result.memberChanges).toEqual([
      { kind: 'add', members: [{ value: 'u1', display: 'User One', type: 'User', $ref: 'https://example.com/v2/Users/u1' }] },
      { kind: 'remove', values: ['u2'] },
      { kind: 'removeAll' },
      { kind: 'replaceAll', members: [{ value: 'u3' }] },
      { kind: 'replaceAll', members: [] },
    ]);
  });

  it('takes members from no-path add and replace values', () => {
    const body = message(
      { op: 'add', value: { members: [{ value: 'u1' }] } },
      { op: 'replace', value: { displayName: 'Renamed', members: [{ value: 'u2' }] } },
    );
    const result = succeeds(group(), body, GROUP_APART);
    expect(result.resource).toEqual({ ...group(), displayName: 'Renamed' });
    expect(result.memberChanges).toEqual([
      { kind: 'add', members: [{ value: 'u1' }] },
      { kind: 'replaceAll', members: [{ value: 'u2' }] },
    ]);
  });

  it('passes other member filters to the store as removeWhere', () => {
    const body = message(
      { op: 'remove', path: 'members[type eq "Group"]' },
      { op: 'remove', path: 'members[value eq "u1" and type eq "User"]' },
    );
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([
      { kind: 'removeWhere', filter: 'type eq "Group"' },
      { kind: 'removeWhere', filter: 'value eq "u1" and type eq "User"' },
    ]);
  });

  it('accepts the core-schema-qualified members path and a lone member object', () => {
    const body = message({ op: 'Add', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:members', value: { Value: 'u1', Display: 'One' } });
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([{ kind: 'add', members: [{ value: 'u1', display: 'One' }] }]);
  });

  it('records nothing for empty additions and removals', () => {
    const body = message({ op: 'add', path: 'members', value: [] }, { op: 'remove', path: 'members', value: [] });
    const result = succeeds(group(), body, GROUP_APART);
    expect(result.memberChanges).toEqual([]);
    expect(result.modified).toBe(false);
  });

  it('refuses a member without an id', () => {
    const error = refused(group(), message({ op: 'add', path: 'members', value: [{ value: 'u1' }, { display: 'no id' }] }), GROUP_APART);
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toBe('Operations[0].value[1]: a member needs its id as a non-empty string "value", found nothing');
  });

  it('refuses member paths it cannot express as member changes', () => {
    for (const operation of [
      { op: 'replace', path: 'members[value eq "u1"].display', value: 'New' },
      { op: 'add', path: 'members[value eq "u1"]', value: { value: 'u1' } },
      { op: 'remove', path: 'members.value' },
    ]) {
      expect(refused(group(), message(operation), GROUP_APART).scimType).toBe('invalidPath');
    }
  });

  it('does not separate a User attribute that happens to be called members', () => {
    const result = succeeds({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: '1', userName: 'u' }, message({ op: 'add', path: 'members', value: [{ value: 'x' }] }), { ...USER, separateMembers: true });
    expect(result.memberChanges).toEqual([]);
    expect(result.resource.members).toEqual([{ value: 'x' }]);
  });
});
