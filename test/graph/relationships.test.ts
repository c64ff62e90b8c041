import { describe, expect, it } from 'vitest';
import { relationshipEnds, relationshipsOf } from '../../src/graph/relationships.js';
import { scimTemplate, TemplateBuilder } from './template-builder.js';

describe('relationshipsOf', () => {
  const template = scimTemplate();
  const summary = (entity: string) =>
    relationshipsOf(template, entity)
      .map((r) => `${r.relationship.key} ${r.direction} -> ${r.toEntity}`)
      .sort();

  it('lists what starts at a user, in which direction, and where it leads', () => {
    expect(summary('User')).toEqual([
      'GroupOwners Backward -> Group',
      'ParentOfEmail Backward -> Email',
      'UserGroups Forward -> Group',
      'UserToGroupMember Forward -> GroupMember',
    ]);
  });

  it('lists both directions of a relationship from an entity to itself', () => {
    expect(summary('Group')).toContain('GroupsSharingAMember Forward -> Group');
    expect(summary('Group')).toContain('GroupsSharingAMember Backward -> Group');
  });

  it('resolves entities named by externalId', () => {
    expect(relationshipEnds(template, 'UserToGroupMember')).toEqual({ fromEntity: 'User', toEntity: 'GroupMember' });
  });

  it('reports a path that contains itself', () => {
    const looping = new TemplateBuilder().entity('User', { attributes: { id: { uniqueId: true } } }).path('Loop', [['Loop', 'Forward']]).build();
    expect(() => relationshipsOf(looping, 'User')).toThrow(/refers to itself/);
  });
});
