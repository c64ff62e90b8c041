import { indexedAttributesOf } from '../../src/graph/tree.js';
import type { GraphStore, NodeTree } from '../../src/graph/store.js';
import { getBuiltinTemplate } from '../../src/template/builtin.js';
import { parseTemplate } from '../../src/template/load.js';
import type { Template } from '../../src/template/model.js';

/** The built-in SCIM 2.0 push template: Users, Groups with GroupMember children, UserGroups as a path. */
export function scimPushTemplate(): Template {
  return parseTemplate(getBuiltinTemplate('scim-2.0-push')!.yaml);
}

export function userTree(id: string, emails: string[] = []): NodeTree {
  return {
    entity: 'User',
    id,
    attributes: { id, userName: `${id}@example.com`, displayName: `User ${id}`, active: true },
    children: emails.map((value) => ({ entity: 'Email', id: `${id}:${value}`, attributes: { value, type: 'work' }, children: [] })),
  };
}

export function groupTree(id: string, memberIds: string[]): NodeTree {
  return {
    entity: 'Group',
    id,
    attributes: { id, displayName: `Group ${id}` },
    children: memberIds.map((member) => ({
      entity: 'GroupMember',
      id: `${id}:${member}`,
      attributes: { value: member, type: 'User' },
      children: [],
    })),
  };
}

/** Writes `users` users and `groups` groups, every user a member of every group, in batches. */
export async function writeGroupGraph(store: GraphStore, sorId: string, template: Template, users: number, groups: number): Promise<void> {
  const options = { indexedAttributes: indexedAttributesOf(template), eventId: 'fixture' };
  const userIds = Array.from({ length: users }, (_, i) => `u${i}`);
  await store.replaceNodes(sorId, userIds.map((id) => userTree(id, [`${id}@example.com`])), options);
  const groupTrees = Array.from({ length: groups }, (_, i) => groupTree(`g${String(i).padStart(4, '0')}`, userIds));
  for (let from = 0; from < groupTrees.length; from += 100) {
    await store.replaceNodes(sorId, groupTrees.slice(from, from + 100), options);
  }
}

/** Counts the store calls made through it, to check how many round-trips an answer took. */
export function countingStore(store: GraphStore): { store: GraphStore; calls: () => number; reset: () => void } {
  let calls = 0;
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, calls: () => calls, reset: () => (calls = 0) };
}
