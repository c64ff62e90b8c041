import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../src/graph/paging.js';
import { resolveRelationship } from '../../src/graph/relationships.js';
import {
  DuplicateRecordError,
  type EntityNode,
  type GraphStore,
  type NodeTree,
  type PushTokenRecord,
  type WriteOptions,
} from '../../src/graph/store.js';
import { indexedAttributesOf } from '../../src/graph/tree.js';
import type { AttributeValue } from '../../src/template/model.js';
import { sorRecord } from '../support/sor-record.js';
import { scimTemplate } from './template-builder.js';

export interface TestStore extends GraphStore {
  appliedMigrations(): Promise<number[]>;
}

export interface StoreHarness {
  /** A store on this run's database, not yet migrated. */
  open(): Promise<TestStore>;
  /** Two instances on one fresh, empty database, where the backend lets several instances share one. */
  openPair?(): Promise<[TestStore, TestStore]>;
  cleanup?(): Promise<void>;
}

const SQL_LOOKING = "x'); DROP TABLE nodes;--";
const template = scimTemplate();
const indexed: WriteOptions = { indexedAttributes: indexedAttributesOf(template) };

function tree(entity: string, id: string, attributes: Record<string, AttributeValue> = {}, children: NodeTree[] = []): NodeTree {
  return { entity, id, attributes, children };
}

function user(id: string, attributes: Record<string, AttributeValue> = {}, children: NodeTree[] = []): NodeTree {
  return tree('User', id, { id, userName: `${id}@example.com`, ...attributes }, children);
}

function email(userId: string, value: string): NodeTree {
  return tree('Email', `${userId}/${value}`, { value, type: 'work' });
}

/** GroupMember ids are unique per entity, so a member's id carries its group's. */
function group(id: string, memberIds: string[], attributes: Record<string, AttributeValue> = {}): NodeTree {
  const members = memberIds.map((memberId) => tree('GroupMember', `${id}/${memberId}`, { value: memberId, type: 'User' }));
  return tree('Group', id, { id, displayName: `Group ${id}`, ...attributes }, members);
}

function ids(nodes: readonly EntityNode[]): string[] {
  return nodes.map((node) => node.id).sort();
}

function at(seconds: number): Date {
  return new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
}

export function describeGraphStore(name: string, harness: StoreHarness): void {
  describe(`GraphStore on ${name}`, () => {
    let store: TestStore;

    beforeAll(async () => {
      store = await harness.open();
      await store.migrate();
    });

    afterAll(async () => {
      await store?.close();
      await harness.cleanup?.();
    });

    /** Each test works in its own SoR, so tests share one database without seeing each other. */
    async function newSor(): Promise<string> {
      const id = `sor-${randomUUID()}`;
      await store.createSystemOfRecord(sorRecord(id));
      return id;
    }

    function tokenRecord(sorId: string, overrides: Partial<PushTokenRecord> = {}): PushTokenRecord {
      return {
        id: `tok-${randomUUID()}`,
        sorId,
        hash: 'a'.repeat(64),
        createdAt: '2026-01-02T00:00:00.000Z',
        ...overrides,
      };
    }

    describe('migrations', () => {
      it('records every version once and can run again', async () => {
        const before = await store.appliedMigrations();
        await store.migrate();
        await store.migrate();
        expect(await store.appliedMigrations()).toEqual(before);
        expect(before.length).toBeGreaterThan(0);
        await store.ping();
        expect(await store.isCreated()).toBe(true);
      });

      if (harness.openPair) it('lets two instances migrate one database at once', async () => {
        const [first, second] = await harness.openPair!();
        try {
          await Promise.all([first.migrate(), second.migrate()]);
          expect(await first.appliedMigrations()).toEqual(await store.appliedMigrations());
          expect(await second.appliedMigrations()).toEqual(await store.appliedMigrations());
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });
    });

    describe('settings', () => {
      it('sets, reads and overwrites a setting', async () => {
        const key = `key-${randomUUID()}`;
        expect(await store.getSetting(key)).toBeUndefined();
        await store.setSetting(key, 'one');
        expect(await store.getSetting(key)).toBe('one');
        await store.setSetting(key, 'two');
        expect(await store.getSetting(key)).toBe('two');
      });

      it('setSettingIfAbsent lets only the first writer win', async () => {
        const key = `key-${randomUUID()}`;
        expect(await store.setSettingIfAbsent(key, 'first')).toBe(true);
        expect(await store.setSettingIfAbsent(key, 'second')).toBe(false);
        expect(await store.getSetting(key)).toBe('first');
      });

      it('setSettingIfAbsent picks exactly one winner among concurrent writers', async () => {
        const key = `admin-token-${randomUUID()}`;
        const values = Array.from({ length: 12 }, (_, i) => `hash-${i}`);
        const results = await Promise.all(values.map((value) => store.setSettingIfAbsent(key, value)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.getSetting(key)).toBe(values[results.indexOf(true)]);
      });

      if (harness.openPair) it('setSettingIfAbsent has one winner across instances', async () => {
        const [first, second] = await harness.openPair!();
        try {
          await first.migrate();
          await second.migrate();
          const attempts = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).setSettingIfAbsent('admin', `v${i}`));
          const results = await Promise.all(attempts);
          expect(results.filter(Boolean)).toHaveLength(1);
          expect(await second.getSetting('admin')).toBe(`v${results.indexOf(true)}`);
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });

      it('keeps SQL-looking keys and values as data', async () => {
        await store.setSetting(SQL_LOOKING, SQL_LOOKING);
        expect(await store.getSetting(SQL_LOOKING)).toBe(SQL_LOOKING);
      });
    });

    describe('systems of record', () => {
      it('creates, reads, lists, updates and deletes', async () => {
        const id = `sor-${randomUUID()}`;
        const record = sorRecord(id);
        await store.createSystemOfRecord(record);
        expect(await store.getSystemOfRecord(id)).toEqual(record);
        expect((await store.listSystemsOfRecord()).map((sor) => sor.id)).toContain(id);

        const updated = { ...record, displayName: 'Okta', verification: { signature: 'required' }, updatedAt: '2026-02-01T00:00:00.000Z' };
        expect(await store.updateSystemOfRecord(updated)).toBe(true);
        expect(await store.getSystemOfRecord(id)).toEqual(updated);

        expect(await store.deleteSystemOfRecord(id)).toBe(true);
        expect(await store.getSystemOfRecord(id)).toBeUndefined();
        expect(await store.deleteSystemOfRecord(id)).toBe(false);
        expect(await store.updateSystemOfRecord(updated)).toBe(false);
      });

      it('keeps createdAt on update and omits an absent description', async () => {
        const id = `sor-${randomUUID()}`;
        const { description: _description, ...withoutDescription } = sorRecord(id);
        await store.createSystemOfRecord(withoutDescription);
        const stored = await store.getSystemOfRecord(id);
        expect(stored).toEqual(withoutDescription);
        expect(stored).not.toHaveProperty('description');
        await store.updateSystemOfRecord({ ...withoutDescription, createdAt: '2030-01-01T00:00:00.000Z' });
        expect((await store.getSystemOfRecord(id))?.createdAt).toBe(withoutDescription.createdAt);
      });

      it('refuses a second SoR with the same id', async () => {
        const id = await newSor();
        await expect(store.createSystemOfRecord(sorRecord(id))).rejects.toBeInstanceOf(DuplicateRecordError);
      });

      it('deletes its tokens, nodes and index rows with it', async () => {
        const id = await newSor();
        const token = tokenRecord(id);
        await store.createPushToken(token);
        await store.replaceNode(id, user('u1', {}, [email('u1', 'a@example.com')]), indexed);

        expect(await store.deleteSystemOfRecord(id)).toBe(true);
        expect(await store.getPushToken(token.id)).toBeUndefined();
        await store.createSystemOfRecord(sorRecord(id));
        expect(await store.countNodes(id)).toEqual({});
        expect(await store.getNode(id, 'User', 'u1')).toBeUndefined();
        expect(await store.findNodes(id, 'User', 'id', 'u1')).toEqual([]);
        expect(await store.findNodes(id, 'Email', 'value', 'a@example.com')).toEqual([]);
        expect(await store.listPushTokens(id)).toEqual([]);
      });
    });

    describe('push tokens', () => {
      it('creates, reads and lists the tokens of one SoR', async () => {
        const sorId = await newSor();
        const other = await newSor();
        const first = tokenRecord(sorId, { description: 'okta', expiresAt: '2027-01-01T00:00:00.000Z' });
        const second = tokenRecord(sorId, { createdAt: '2026-01-03T00:00:00.000Z' });
        await store.createPushToken(second);
        await store.createPushToken(first);
        await store.createPushToken(tokenRecord(other));
        expect(await store.getPushToken(first.id)).toEqual(first);
        expect(await store.listPushTokens(sorId)).toEqual([first, second]);
        expect(await store.getPushToken('missing')).toBeUndefined();
        await expect(store.createPushToken(first)).rejects.toBeInstanceOf(DuplicateRecordError);
      });

      it('revokes once, only within its SoR', async () => {
        const sorId = await newSor();
        const other = await newSor();
        const token = tokenRecord(sorId);
        await store.createPushToken(token);
        expect(await store.revokePushToken(other, token.id, at(1))).toBe(false);
        expect(await store.revokePushToken(sorId, token.id, at(2))).toBe(true);
        expect(await store.revokePushToken(sorId, token.id, at(3))).toBe(false);
        expect(await store.revokePushToken(sorId, 'missing', at(3))).toBe(false);
        expect((await store.getPushToken(token.id))?.revokedAt).toBe(at(2).toISOString());
      });

      it('reads the SoR version and a token of any SoR in one read', async () => {
        const sorId = await newSor();
        const other = await newSor();
        const token = tokenRecord(sorId);
        const foreign = tokenRecord(other);
        await store.createPushToken(token);
        await store.createPushToken(foreign);
        const updatedAt = (await store.getSystemOfRecord(sorId))!.updatedAt;
        expect(await store.readPushCredentials(sorId, token.id)).toEqual({ sorUpdatedAt: updatedAt, token });
        expect(await store.readPushCredentials(sorId, foreign.id)).toEqual({ sorUpdatedAt: updatedAt, token: foreign });
        expect(await store.readPushCredentials(sorId, 'missing')).toEqual({ sorUpdatedAt: updatedAt });
        expect(await store.readPushCredentials(sorId, undefined)).toEqual({ sorUpdatedAt: updatedAt });
        expect(await store.readPushCredentials('no-such-sor', token.id)).toBeUndefined();
        const otherUpdatedAt = (await store.getSystemOfRecord(other))!.updatedAt;
        expect(
          await Promise.all([
            store.readPushCredentials(sorId, token.id),
            store.readPushCredentials('no-such-sor', token.id),
            store.readPushCredentials(other, token.id),
            store.readPushCredentials(other, undefined),
            store.readPushCredentials(sorId, foreign.id),
          ]),
        ).toEqual([
          { sorUpdatedAt: updatedAt, token },
          undefined,
          { sorUpdatedAt: otherUpdatedAt, token },
          { sorUpdatedAt: otherUpdatedAt },
          { sorUpdatedAt: updatedAt, token: foreign },
        ]);
        await store.revokePushToken(sorId, token.id, at(5));
        expect((await store.readPushCredentials(sorId, token.id))?.token?.revokedAt).toBe(at(5).toISOString());
      });

      it('records when a token was last used', async () => {
        const sorId = await newSor();
        const token = tokenRecord(sorId);
        await store.createPushToken(token);
        expect(await store.getPushToken(token.id)).not.toHaveProperty('lastUsedAt');
        await store.touchPushToken(token.id, at(10));
        await store.touchPushToken(token.id, at(20));
        expect((await store.getPushToken(token.id))?.lastUsedAt).toBe(at(20).toISOString());
      });
    });

    describe('replaceNode', () => {
      it('creates a node with its children and provenance', async () => {
        const sorId = await newSor();
        await store.replaceNode(
          sorId,
          user('u1', { active: true, schemas: ['core', 'enterprise'] }, [email('u1', 'a@example.com'), email('u1', 'b@example.com')]),
          { ...indexed, eventId: 'evt-1', at: at(1) },
        );
        const node = await store.getNode(sorId, 'User', 'u1');
        expect(node).toEqual({
          entity: 'User',
          id: 'u1',
          attributes: { id: 'u1', userName: 'u1@example.com', active: true, schemas: ['core', 'enterprise'] },
          createdAt: at(1).toISOString(),
          updatedAt: at(1).toISOString(),
          lastEventId: 'evt-1',
        });
        const children = await store.getChildren(sorId, 'User', 'u1');
        expect(children.map((child) => child.id)).toEqual(['u1/a@example.com', 'u1/b@example.com']);
        expect(children[0]).toMatchObject({ entity: 'Email', parent: { entity: 'User', id: 'u1' }, lastEventId: 'evt-1' });
        expect(await store.getChildren(sorId, 'User', 'u1', 'Address')).toEqual([]);
        expect(ids(await store.getChildren(sorId, 'User', 'u1', 'Email'))).toHaveLength(2);
      });

      it('replaces attributes, keeps createdAt and removes children absent from the new tree', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, user('u1', { displayName: 'Old' }, [email('u1', 'keep'), email('u1', 'drop')]), {
          ...indexed,
          eventId: 'evt-1',
          at: at(1),
        });
        await store.replaceNode(sorId, user('u1', { title: 'New' }, [email('u1', 'keep'), email('u1', 'add')]), {
          ...indexed,
          eventId: 'evt-2',
          at: at(2),
        });
        const node = await store.getNode(sorId, 'User', 'u1');
        expect(node).toMatchObject({
          attributes: { id: 'u1', userName: 'u1@example.com', title: 'New' },
          createdAt: at(1).toISOString(),
          updatedAt: at(2).toISOString(),
          lastEventId: 'evt-2',
        });
        expect(node?.attributes).not.toHaveProperty('displayName');
        const children = await store.getChildren(sorId, 'User', 'u1');
        expect(ids(children)).toEqual(['u1/add', 'u1/keep']);
        expect(children.find((child) => child.id === 'u1/keep')?.createdAt).toBe(at(1).toISOString());
        expect(await store.getNode(sorId, 'Email', 'u1/drop')).toBeUndefined();
        expect(await store.findNodes(sorId, 'Email', 'value', 'drop')).toEqual([]);
        expect(ids(await store.findNodes(sorId, 'Email', 'value', 'add'))).toEqual(['u1/add']);
      });

      it('removes grandchildren of removed children, and of kept ones that lost them', async () => {
        const sorId = await newSor();
        const deep = tree('Org', 'o1', {}, [
          tree('Team', 't1', {}, [tree('Seat', 's1', { code: 'A' }), tree('Seat', 's2', { code: 'B' })]),
          tree('Team', 't2', {}, [tree('Seat', 's3', { code: 'C' }, [tree('Desk', 'd1')])]),
        ]);
        const options = { indexedAttributes: { Seat: ['code'] } };
        await store.replaceNode(sorId, deep, options);
        expect(await store.countNodes(sorId)).toEqual({ Org: 1, Team: 2, Seat: 3, Desk: 1 });

        await store.replaceNode(sorId, tree('Org', 'o1', {}, [tree('Team', 't1', {}, [tree('Seat', 's1', { code: 'A' })])]), options);
        expect(await store.countNodes(sorId)).toEqual({ Org: 1, Team: 1, Seat: 1 });
        expect(await store.getNode(sorId, 'Desk', 'd1')).toBeUndefined();
        expect(await store.findNodes(sorId, 'Seat', 'code', 'B')).toEqual([]);
        expect(await store.findNodes(sorId, 'Seat', 'code', 'C')).toEqual([]);
      });

      it('counts the nodes of an entity that hold a value for an attribute, whatever its name holds', async () => {
        const sorId = await newSor();
        const name = 'urn:x:2.0:User:"cost.center"';
        await store.replaceNodes(sorId, [tree('Seat', 's1', { [name]: false }, [tree('Desk', 'd1', { [name]: 'x' })]), tree('Seat', 's2', { code: 'A' })], {
          indexedAttributes: {},
        });
        expect(await store.countNodesHolding(sorId, 'Seat', name)).toBe(1);
        expect(await store.countNodesHolding(sorId, 'Seat', 'code')).toBe(1);
        expect(await store.countNodesHolding(sorId, 'Seat', 'cost.center')).toBe(0);
        expect(await store.countNodesHolding(sorId, 'Team', name)).toBe(0);
      });

      it('keeps a node that moved within the tree, with its createdAt', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, tree('Org', 'o1', {}, [tree('Team', 't1', {}, [tree('Seat', 's1')])]), { ...indexed, at: at(1) });
        await store.replaceNode(sorId, tree('Org', 'o1', {}, [tree('Seat', 's1')]), { ...indexed, at: at(2) });
        const seat = await store.getNode(sorId, 'Seat', 's1');
        expect(seat).toMatchObject({ parent: { entity: 'Org', id: 'o1' }, createdAt: at(1).toISOString(), updatedAt: at(2).toISOString() });
        expect(await store.getNode(sorId, 'Team', 't1')).toBeUndefined();
      });

      it('clears lastEventId when a write names no event', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, user('u1'), { ...indexed, eventId: 'evt-1' });
        await store.replaceNode(sorId, user('u1'), indexed);
        expect(await store.getNode(sorId, 'User', 'u1')).not.toHaveProperty('lastEventId');
      });

      it('keeps the parent of a child node replaced on its own', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, group('g1', ['u1']), indexed);
        await store.replaceNode(sorId, tree('GroupMember', 'g1/u1', { value: 'u1', display: 'Ann' }), indexed);
        expect(await store.getNode(sorId, 'GroupMember', 'g1/u1')).toMatchObject({
          parent: { entity: 'Group', id: 'g1' },
          attributes: { value: 'u1', display: 'Ann' },
        });
      });

      it('rewrites the index rows of every written node', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, user('u1', { userName: 'old@example.com' }), indexed);
        await store.replaceNode(sorId, user('u1', { userName: 'new@example.com' }), indexed);
        expect(await store.findNodes(sorId, 'User', 'userName', 'old@example.com')).toEqual([]);
        expect(ids(await store.findNodes(sorId, 'User', 'userName', 'new@example.com'))).toEqual(['u1']);
      });

      it('writes nothing for an unknown SoR', async () => {
        const sorId = `missing-${randomUUID()}`;
        await expect(store.replaceNode(sorId, user('u1'), indexed)).rejects.toThrow();
        expect(await store.getNode(sorId, 'User', 'u1')).toBeUndefined();
      });
    });

    describe('replaceNodes', () => {
      it('writes many trees in one call, the last copy of a repeated node winning', async () => {
        const sorId = await newSor();
        await store.replaceNodes(
          sorId,
          [user('u1', { title: 'first' }), user('u2'), group('g1', ['u1', 'u2']), user('u1', { title: 'last' })],
          { ...indexed, eventId: 'batch-1' },
        );
        expect(await store.countNodes(sorId)).toEqual({ User: 2, Group: 1, GroupMember: 2 });
        expect((await store.getNode(sorId, 'User', 'u1'))?.attributes['title']).toBe('last');
        expect((await store.getNode(sorId, 'GroupMember', 'g1/u2'))?.lastEventId).toBe('batch-1');
      });

      it('replaces existing trees and removes their absent children', async () => {
        const sorId = await newSor();
        await store.replaceNodes(sorId, [group('g1', ['u1', 'u2']), group('g2', ['u1'])], indexed);
        await store.replaceNodes(sorId, [group('g1', ['u2', 'u3']), group('g2', [])], indexed);
        expect(ids(await store.getChildren(sorId, 'Group', 'g1'))).toEqual(['g1/u2', 'g1/u3']);
        expect(await store.getChildren(sorId, 'Group', 'g2')).toEqual([]);
        expect(await store.findNodes(sorId, 'GroupMember', 'value', 'u1')).toEqual([]);
      });

      it('accepts an empty batch', async () => {
        const sorId = await newSor();
        await store.replaceNodes(sorId, [], indexed);
        expect(await store.countNodes(sorId)).toEqual({});
      });
    });

    describe('deleteNode', () => {
      it('deletes a node with all its descendants and their index rows', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, tree('Org', 'o1', { code: 'O' }, [tree('Team', 't1', {}, [tree('Seat', 's1', { code: 'S' })])]), {
          indexedAttributes: { Org: ['code'], Seat: ['code'] },
        });
        await store.replaceNode(sorId, tree('Org', 'o2'), indexed);
        expect(await store.deleteNode(sorId, 'Org', 'o1')).toBe(true);
        expect(await store.countNodes(sorId)).toEqual({ Org: 1 });
        expect(await store.findNodes(sorId, 'Seat', 'code', 'S')).toEqual([]);
        expect(await store.findNodes(sorId, 'Org', 'code', 'O')).toEqual([]);
        expect(await store.deleteNode(sorId, 'Org', 'o1')).toBe(false);
      });

      it('deletes a child alone, leaving its parent and siblings', async () => {
        const sorId = await newSor();
        await store.replaceNode(sorId, group('g1', ['u1', 'u2']), indexed);
        expect(await store.deleteNode(sorId, 'GroupMember', 'g1/u1')).toBe(true);
        expect(ids(await store.getChildren(sorId, 'Group', 'g1'))).toEqual(['g1/u2']);
        expect(await store.findNodes(sorId, 'GroupMember', 'value', 'u1')).toEqual([]);
      });
    });

    describe('findNodeIdBySubject', () => {
      let built = 0;

      /** Writes a node as the inbox worker does for a full event, keeping the SET's claims as its source. */
      async function buildFromSet(sorId: string, node: NodeTree, subId: Record<string, string>, at: Date): Promise<void> {
        const id = `subject-event-${built++}`;
        await store.recordPushEvent({
          id, sorId, receivedAt: at.toISOString(), protocol: 'set', method: 'POST', path: '/', authentication: { bearer: 'valid' },
          status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: id, jti: id,
        });
        const sourceDocument = { jti: id, sub_id: { format: 'scim', ...subId }, events: { 'urn:ietf:params:scim:event:prov:create:full': { data: {} } } };
        const done = await store.completePushEvents([{
          sorId, id, outcome: { status: 'applied', operations: [], at },
          writes: [{ kind: 'replace', tree: node, sourceDocument }], options: { ...indexed, eventId: id, at },
        }]);
        expect(done).toEqual([true]);
      }

      it('finds a node keyed by its data through the subject that built it, in its SoR and entity only', async () => {
        const sorId = await newSor();
        const other = await newSor();
        await buildFromSet(sorId, user('alice@example.com'), { uri: '/Users/a1', id: 'a1' }, at(1));
        await buildFromSet(sorId, user('carol@example.com'), { uri: '/Users/c1' }, at(2));
        await buildFromSet(other, user('alice@other.example'), { uri: '/Users/a1', id: 'a1' }, at(3));
        expect(await store.findNodeIdBySubject(sorId, 'User', '/Users/a1')).toBe('alice@example.com');
        expect(await store.findNodeIdBySubject(other, 'User', '/Users/a1')).toBe('alice@other.example');
        // A subject without sub_id.id: its node's id is not that id either.
        expect(await store.findNodeIdBySubject(sorId, 'User', '/Users/c1')).toBe('carol@example.com');
        expect(await store.findNodeIdBySubject(sorId, 'Group', '/Users/a1')).toBeUndefined();
        expect(await store.findNodeIdBySubject(sorId, 'User', '/Users/nobody')).toBeUndefined();
        expect(await store.findNodeIdBySubject(sorId, 'User', SQL_LOOKING)).toBeUndefined();
      });

      it('leaves out nodes keyed by their subject\'s id, and nodes not built from a SET', async () => {
        const sorId = await newSor();
        await buildFromSet(sorId, user('b1'), { uri: '/Users/b1', id: 'b1' }, at(1));
        await store.replaceNode(sorId, user('d1'), indexed);
        expect(await store.findNodeIdBySubject(sorId, 'User', '/Users/b1')).toBeUndefined();
      });

      it('answers the node last built when the subject built more than one', async () => {
        const sorId = await newSor();
        await buildFromSet(sorId, user('old@example.com'), { uri: '/Users/r1', id: 'r1' }, at(1));
        await buildFromSet(sorId, user('new@example.com'), { uri: '/Users/r1', id: 'r1' }, at(2));
        expect(await store.findNodeIdBySubject(sorId, 'User', '/Users/r1')).toBe('new@example.com');
        expect(await store.deleteNode(sorId, 'User', 'new@example.com')).toBe(true);
        expect(await store.findNodeIdBySubject(sorId, 'User', '/Users/r1')).toBe('old@example.com');
      });
    });

    describe('findNodes', () => {
      let sorId: string;
      const options: WriteOptions = {
        indexedAttributes: { User: ['userName', 'schemas', 'age', 'active'], Email: ['value'] },
      };

      beforeAll(async () => {
        sorId = await newSor();
        await store.replaceNodes(
          sorId,
          [
            user('u1', { userName: 'Ann@Example.com', schemas: ['core', 'enterprise', 'core'], age: 42, active: true, title: 'CEO' }, [
              email('u1', 'ann@example.com'),
            ]),
            user('u2', { userName: 'bob@example.com', schemas: ['core'], age: 7.5, active: false, title: 'CEO' }),
            user('u3', { userName: 'ANN@EXAMPLE.COM', schemas: [], active: true }),
          ],
          options,
        );
      });

      it('finds by a plain string attribute, case-sensitively by default', async () => {
        expect(ids(await store.findNodes(sorId, 'User', 'userName', 'Ann@Example.com'))).toEqual(['u1']);
        expect(await store.findNodes(sorId, 'User', 'userName', 'ann@example.com')).toEqual([]);
      });

      it('finds case-insensitively when asked', async () => {
        expect(ids(await store.findNodes(sorId, 'User', 'userName', 'ann@example.com', { caseInsensitive: true }))).toEqual(['u1', 'u3']);
      });

      it('finds by an element of a list attribute, once per node', async () => {
        expect(ids(await store.findNodes(sorId, 'User', 'schemas', 'core'))).toEqual(['u1', 'u2']);
        expect(ids(await store.findNodes(sorId, 'User', 'schemas', 'enterprise'))).toEqual(['u1']);
      });

      it('finds by number and boolean values', async () => {
        expect(ids(await store.findNodes(sorId, 'User', 'age', 42))).toEqual(['u1']);
        expect(ids(await store.findNodes(sorId, 'User', 'age', 7.5))).toEqual(['u2']);
        expect(ids(await store.findNodes(sorId, 'User', 'active', true))).toEqual(['u1', 'u3']);
        expect(ids(await store.findNodes(sorId, 'User', 'active', false))).toEqual(['u2']);
      });

      it('does not find by an attribute that is not indexed', async () => {
        expect(await store.findNodes(sorId, 'User', 'title', 'CEO')).toEqual([]);
        expect(await store.findNodes(sorId, 'User', 'id', 'u1')).toEqual([]);
      });

      it('drops the index rows of attributes a new index plan no longer indexes, and of changed values', async () => {
        const other = await newSor();
        await store.replaceNode(other, user('p1', { userName: 'a@example.com', title: 'CEO' }), { indexedAttributes: { User: ['userName', 'title'] } });
        expect(ids(await store.findNodes(other, 'User', 'title', 'CEO'))).toEqual(['p1']);
        await store.replaceNode(other, user('p1', { userName: 'b@example.com', title: 'CEO' }), { indexedAttributes: { User: ['userName'] } });
        expect(await store.findNodes(other, 'User', 'title', 'CEO')).toEqual([]);
        expect(await store.findNodes(other, 'User', 'userName', 'a@example.com')).toEqual([]);
        expect(ids(await store.findNodes(other, 'User', 'userName', 'b@example.com'))).toEqual(['p1']);
      });

      it('finds only nodes of the asked entity', async () => {
        expect(ids(await store.findNodes(sorId, 'Email', 'value', 'ann@example.com'))).toEqual(['u1/ann@example.com']);
        expect(await store.findNodes(sorId, 'User', 'value', 'ann@example.com')).toEqual([]);
      });

      it('returns whole nodes in id order, honouring a limit', async () => {
        const found = await store.findNodes(sorId, 'User', 'active', true, { limit: 1 });
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ entity: 'User', id: 'u1', attributes: { title: 'CEO' } });
      });
    });

    describe('listNodes and countNodes', () => {
      it('pages through every node in id order with a stable cursor', async () => {
        const sorId = await newSor();
        const all = Array.from({ length: 25 }, (_, i) => `user-${String((i * 7) % 25).padStart(2, '0')}`);
        await store.replaceNodes(sorId, all.map((id) => user(id)), indexed);
        await store.replaceNode(sorId, group('g1', ['a']), indexed);

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listNodes(sorId, 'User', cursor === undefined ? { limit: 10 } : { limit: 10, cursor });
          seen.push(...page.nodes.map((node) => node.id));
          if (page.nextCursor !== undefined) {
            expect(await store.listNodes(sorId, 'User', { limit: 10, cursor: page.nextCursor })).toEqual(
              await store.listNodes(sorId, 'User', { limit: 10, cursor: page.nextCursor }),
            );
          }
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== undefined);
        expect(pages).toBe(3);
        expect(seen).toEqual([...all].sort());
      });

      it('defaults to 100 a page and caps the limit at 1000', async () => {
        const sorId = await newSor();
        await store.replaceNodes(sorId, Array.from({ length: 1001 }, (_, i) => tree('Device', `d${String(i).padStart(4, '0')}`)), indexed);
        const first = await store.listNodes(sorId, 'Device');
        expect(first.nodes).toHaveLength(100);
        const capped = await store.listNodes(sorId, 'Device', { limit: 5000 });
        expect(capped.nodes).toHaveLength(1000);
        const rest = await store.listNodes(sorId, 'Device', { limit: 5000, cursor: capped.nextCursor! });
        expect(rest.nodes.map((node) => node.id)).toEqual(['d1000']);
        expect(rest.nextCursor).toBeUndefined();
      });

      it('rejects a cursor it did not make', async () => {
        const sorId = await newSor();
        await expect(store.listNodes(sorId, 'User', { cursor: 'not a cursor!' })).rejects.toBeInstanceOf(InvalidCursorError);
      });

      it('counts nodes per entity, children included', async () => {
        const sorId = await newSor();
        expect(await store.countNodes(sorId)).toEqual({});
        await store.replaceNodes(sorId, [user('u1', {}, [email('u1', 'a')]), user('u2'), group('g1', ['u1', 'u2'])], indexed);
        expect(await store.countNodes(sorId)).toEqual({ User: 2, Email: 1, Group: 1, GroupMember: 2 });
      });
    });

    describe('tenant isolation', () => {
      it('keeps two SoRs with the same node ids apart', async () => {
        const a = await newSor();
        const b = await newSor();
        await store.replaceNode(a, user('u1', { title: 'in a' }, [email('u1', 'x')]), indexed);
        await store.replaceNode(b, user('u1', { title: 'in b' }), indexed);

        expect((await store.getNode(a, 'User', 'u1'))?.attributes['title']).toBe('in a');
        expect((await store.getNode(b, 'User', 'u1'))?.attributes['title']).toBe('in b');
        expect(await store.findNodes(b, 'Email', 'value', 'x')).toEqual([]);
        expect(await store.countNodes(b)).toEqual({ User: 1 });

        await store.replaceNode(b, user('u1'), indexed);
        expect(await store.getChildren(a, 'User', 'u1')).toHaveLength(1);
        expect(await store.deleteNode(b, 'User', 'u1')).toBe(true);
        expect(await store.getNode(a, 'User', 'u1')).toBeDefined();
        expect((await store.listNodes(a, 'User')).nodes).toHaveLength(1);
        expect((await store.listNodes(b, 'User')).nodes).toHaveLength(0);
      });
    });

    describe('SQL-looking strings', () => {
      it('round-trips them as ids, attribute values and index keys', async () => {
        const sorId = `${SQL_LOOKING}-${randomUUID()}`;
        await store.createSystemOfRecord(sorRecord(sorId, { displayName: SQL_LOOKING, templateYaml: SQL_LOOKING }));
        await store.replaceNode(sorId, user(SQL_LOOKING, { userName: SQL_LOOKING, title: SQL_LOOKING }, [email(SQL_LOOKING, SQL_LOOKING)]), indexed);

        expect((await store.getSystemOfRecord(sorId))?.displayName).toBe(SQL_LOOKING);
        expect(await store.getNode(sorId, 'User', SQL_LOOKING)).toMatchObject({ id: SQL_LOOKING, attributes: { title: SQL_LOOKING } });
        expect(ids(await store.findNodes(sorId, 'User', 'userName', SQL_LOOKING))).toEqual([SQL_LOOKING]);
        expect(ids(await store.findNodes(sorId, 'User', 'userName', SQL_LOOKING.toUpperCase(), { caseInsensitive: true }))).toEqual([SQL_LOOKING]);
        const page = await store.listNodes(sorId, 'User', { limit: 1, cursor: Buffer.from("'", 'utf8').toString('base64url') });
        expect(ids(page.nodes)).toEqual([SQL_LOOKING]);
        expect(await store.getChildren(sorId, 'User', SQL_LOOKING)).toHaveLength(1);
        expect(await store.deleteNode(sorId, 'User', SQL_LOOKING)).toBe(true);
        expect(await store.countNodes(sorId)).toEqual({});
        expect(await store.deleteSystemOfRecord(sorId)).toBe(true);
      });
    });

    describe('relationships', () => {
      let sorId: string;

      beforeAll(async () => {
        sorId = await newSor();
        await store.replaceNodes(
          sorId,
          [
            user('u1'),
            user('u2'),
            user('u3'),
            group('g1', ['u1', 'u2'], { ownerIds: ['u1', 'u3', 'nobody'] }),
            group('g2', ['u1'], { ownerIds: ['u1'] }),
            group('g3', ['u3']),
          ],
          indexed,
        );
      });

      const follow = (key: string, entity: string, id: string, direction: 'Forward' | 'Backward') =>
        resolveRelationship(store, sorId, template, key, { entity, id }, direction);

      it('direct, Forward: a user to the group members that name it', async () => {
        const members = await follow('UserToGroupMember', 'User', 'u1', 'Forward');
        expect(ids(members)).toEqual(['g1/u1', 'g2/u1']);
        expect(members.every((node) => node.entity === 'GroupMember')).toBe(true);
      });

      it('direct, Backward: a group member to its user', async () => {
        expect(ids(await follow('UserToGroupMember', 'GroupMember', 'g1/u2', 'Backward'))).toEqual(['u2']);
      });

      it('direct over a list attribute, both ways', async () => {
        expect(ids(await follow('GroupOwners', 'Group', 'g1', 'Forward'))).toEqual(['u1', 'u3']);
        expect(ids(await follow('GroupOwners', 'User', 'u1', 'Backward'))).toEqual(['g1', 'g2']);
        expect(await follow('GroupOwners', 'Group', 'g3', 'Forward')).toEqual([]);
      });

      it('parent/child, Forward: a member to its group; Backward: a group to its members', async () => {
        const parents = await follow('ParentOfGroupMember', 'GroupMember', 'g2/u1', 'Forward');
        expect(parents).toMatchObject([{ entity: 'Group', id: 'g2' }]);
        expect(ids(await follow('ParentOfGroupMember', 'Group', 'g1', 'Backward'))).toEqual(['g1/u1', 'g1/u2']);
        expect(await follow('ParentOfGroupMember', 'GroupMember', 'missing', 'Forward')).toEqual([]);
      });

      it('path, Forward: which groups a user is in (UserGroups)', async () => {
        const groups = await follow('UserGroups', 'User', 'u1', 'Forward');
        expect(ids(groups)).toEqual(['g1', 'g2']);
        expect(groups.every((node) => node.entity === 'Group')).toBe(true);
        expect(ids(await follow('UserGroups', 'User', 'u3', 'Forward'))).toEqual(['g3']);
        expect(await follow('UserGroups', 'User', 'nobody', 'Forward')).toEqual([]);
      });

      it('path, Backward: which users are in a group', async () => {
        expect(ids(await follow('UserGroups', 'Group', 'g1', 'Backward'))).toEqual(['u1', 'u2']);
      });

      it('path results are de-duplicated', async () => {
        const groups = await follow('GroupsSharingAMember', 'Group', 'g1', 'Forward');
        expect(groups.map((node) => node.id).sort()).toEqual(['g1', 'g2']);
      });

      it('refuses a node the relationship does not start at, and an unknown relationship', async () => {
        await expect(follow('UserGroups', 'Group', 'g1', 'Forward')).rejects.toThrow(/starts at User/);
        await expect(follow('NoSuchRelationship', 'User', 'u1', 'Forward')).rejects.toThrow(/no relationship/);
      });
    });
  });
}
