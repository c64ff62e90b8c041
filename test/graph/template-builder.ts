import { jsonpath } from 'json-p3';
import type {
  AttributeDef,
  AttributeType,
  EntityDef,
  RelationshipDef,
  RelationshipDirection,
  Template,
} from '../../src/template/model.js';

export interface AttributeSpec {
  type?: AttributeType;
  indexed?: boolean;
  uniqueId?: boolean;
  list?: boolean;
}

export interface EntitySpec {
  externalId?: string;
  parent?: string;
  attributes: Record<string, AttributeSpec>;
  /** Attributes a direct relationship joins on, indexed although not marked. */
  joinedOn?: string[];
}

/** Builds Template objects by hand, the way the template loader would, for tests of the graph alone. */
export class TemplateBuilder {
  private readonly entities: Record<string, EntityDef> = {};
  private readonly relationships: Record<string, RelationshipDef> = {};

  constructor(private readonly displayName = 'Test template') {}

  entity(key: string, spec: EntitySpec): this {
    const attributes = Object.entries(spec.attributes).map(([name, attribute]) => attributeDef(name, attribute));
    const indexed = attributes.filter((a) => a.indexed || a.uniqueId).map((a) => a.name);
    const entity: EntityDef = {
      key,
      externalId: spec.externalId ?? key,
      pushExternalId: spec.externalId ?? key,
      attributes,
      indexedAttributes: [...new Set([...indexed, ...(spec.joinedOn ?? [])])],
    };
    const uniqueId = attributes.find((a) => a.uniqueId);
    if (uniqueId) entity.uniqueIdAttribute = uniqueId.name;
    if (spec.parent !== undefined) {
      entity.parent = spec.parent;
      entity.path = compiled(entity.pushExternalId);
    }
    this.entities[key] = entity;
    return this;
  }

  /** `from` and `to` as written in templates: `Entity.attribute`. */
  direct(key: string, from: string, to: string): this {
    this.relationships[key] = { kind: 'direct', key, name: key, from: attributeRef(from), to: attributeRef(to) };
    return this;
  }

  parentChild(key: string, childEntity: string): this {
    const parentEntity = this.entities[childEntity]?.parent;
    if (parentEntity === undefined) throw new Error(`define child entity ${childEntity} with its parent first`);
    this.relationships[key] = { kind: 'parentChild', key, name: key, parentEntity, childEntity };
    return this;
  }

  path(key: string, steps: [relationship: string, direction: RelationshipDirection][]): this {
    this.relationships[key] = {
      kind: 'path',
      key,
      name: key,
      steps: steps.map(([relationship, direction]) => ({ relationship, direction })),
    };
    return this;
  }

  build(): Template {
    return { displayName: this.displayName, entities: this.entities, relationships: this.relationships, source: {} };
  }
}

function attributeDef(name: string, spec: AttributeSpec): AttributeDef {
  const type = spec.type ?? 'String';
  return {
    name,
    externalId: name,
    pushExternalId: name,
    type,
    declaredType: type,
    indexed: spec.indexed ?? false,
    uniqueId: spec.uniqueId ?? false,
    list: spec.list ?? false,
    path: compiled(name),
  };
}

function compiled(source: string): AttributeDef['path'] {
  const normalized = source.startsWith('$') ? source : `$['${source}']`;
  return { source, normalized, query: jsonpath.compile(normalized) };
}

function attributeRef(written: string): { entity: string; attribute: string } {
  const dot = written.indexOf('.');
  return { entity: written.slice(0, dot), attribute: written.slice(dot + 1) };
}

/**
 * The part of ../shared/fixtures/sgnl-catalog/scim-2.0-push.sgnl.yaml that relationships use, written as the
 * loader resolves it (GroupMember is named `members` there), plus a list attribute joined by GroupOwners.
 */
export function scimTemplate(): Template {
  return new TemplateBuilder('SCIM 2.0 Push')
    .entity('User', {
      attributes: {
        id: { indexed: true, uniqueId: true },
        userName: { indexed: true },
        schemas: { list: true },
        displayName: {},
        active: { type: 'Bool' },
      },
    })
    .entity('Group', {
      attributes: { id: { indexed: true, uniqueId: true }, displayName: {}, ownerIds: { list: true } },
      joinedOn: ['ownerIds'],
    })
    .entity('GroupMember', {
      externalId: 'members',
      parent: 'Group',
      attributes: { value: { indexed: true, uniqueId: true }, display: {}, type: {} },
    })
    .entity('Email', {
      externalId: 'emails',
      parent: 'User',
      attributes: { value: { indexed: true, uniqueId: true }, type: {}, primary: { type: 'Bool' } },
    })
    .direct('UserToGroupMember', 'User.id', 'members.value')
    .parentChild('ParentOfGroupMember', 'GroupMember')
    .parentChild('ParentOfEmail', 'Email')
    .path('UserGroups', [
      ['UserToGroupMember', 'Forward'],
      ['ParentOfGroupMember', 'Forward'],
    ])
    .direct('GroupOwners', 'Group.ownerIds', 'User.id')
    .path('GroupsSharingAMember', [
      ['ParentOfGroupMember', 'Backward'],
      ['UserToGroupMember', 'Backward'],
      ['UserToGroupMember', 'Forward'],
      ['ParentOfGroupMember', 'Forward'],
    ])
    .build();
}
