import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphWrite, PushEventCompletion } from '../../src/graph/push-events.js';
import type { GraphStore, NodeTree } from '../../src/graph/store.js';
import { indexedAttributesOf } from '../../src/graph/tree.js';
import { SystemsOfRecord, type SystemOfRecord } from '../../src/systems-of-record/service.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { backends } from '../support/backends.js';
import { seedTemplate } from '../support/service.js';

describe.each(backends())('completePushEvents on $name', (backend) => {
  let store: GraphStore;
  let sor: SystemOfRecord;
  let next = 0;

  beforeAll(async () => {
    store = await backend.open();
    sor = await new SystemsOfRecord(store).create(readSystemOfRecordRequest({ template: seedTemplate }));
  });
  afterAll(() => backend.dispose());

  const user = (id: string, userName: string): NodeTree => ({ entity: 'User', id, attributes: { id, userName }, children: [] });

  /** Records an accepted event and returns its completion with the given write. */
  const accepted = async (write: GraphWrite, at = new Date()): Promise<PushEventCompletion> => {
    const id = `ev-${next++}`;
    await store.recordPushEvent({
      id, sorId: sor.record.id, receivedAt: at.toISOString(), protocol: 'set', method: 'POST', path: '/', authentication: { bearer: 'valid' },
      status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: id, jti: id,
    });
    return {
      sorId: sor.record.id,
      id,
      outcome: { status: 'applied', operations: [], at },
      writes: [write],
      options: { eventId: `jti-${id}`, at, indexedAttributes: indexedAttributesOf(sor.template) },
    };
  };

  it('writes the trees of several events in one call, each with its own event and time, and indexes them', async () => {
    const first = await accepted({ kind: 'replace', tree: user('cb-1', 'one@example.com') }, new Date('2030-01-01T00:00:00Z'));
    const second = await accepted({ kind: 'replace', tree: user('cb-2', 'two@example.com') }, new Date('2030-01-02T00:00:00Z'));
    expect(await store.completePushEvents([first, second])).toEqual([true, true]);
    expect(await store.getNode(sor.record.id, 'User', 'cb-1')).toMatchObject({ lastEventId: `jti-${first.id}`, updatedAt: '2030-01-01T00:00:00.000Z' });
    expect(await store.getNode(sor.record.id, 'User', 'cb-2')).toMatchObject({ lastEventId: `jti-${second.id}`, updatedAt: '2030-01-02T00:00:00.000Z' });
    expect((await store.findNodes(sor.record.id, 'User', 'userName', 'two@example.com')).map((n) => n.id)).toEqual(['cb-2']);
    expect((await store.getPushEvent(sor.record.id, first.id))?.status).toBe('applied');
  });

  it('applies two events that replace the same node in order, the later one winning', async () => {
    const first = await accepted({ kind: 'replace', tree: user('cb-3', 'old@example.com') });
    const second = await accepted({ kind: 'replace', tree: user('cb-3', 'new@example.com') });
    expect(await store.completePushEvents([first, second])).toEqual([true, true]);
    expect((await store.getNode(sor.record.id, 'User', 'cb-3'))?.attributes.userName).toBe('new@example.com');
    expect(await store.findNodes(sor.record.id, 'User', 'userName', 'old@example.com')).toEqual([]);
  });

  it('keeps the order of replaces and other writes in one call', async () => {
    const batch = [
      await accepted({ kind: 'replace', tree: user('cb-4', 'four@example.com') }),
      await accepted({ kind: 'delete', entity: 'User', id: 'cb-4' }),
      await accepted({ kind: 'replace', tree: user('cb-5', 'five@example.com') }),
    ];
    expect(await store.completePushEvents(batch)).toEqual([true, true, true]);
    expect(await store.getNode(sor.record.id, 'User', 'cb-4')).toBeUndefined();
    expect(await store.getNode(sor.record.id, 'User', 'cb-5')).toBeDefined();
  });

  /** A User with one e-mail child, as an event about `/Users/{subject}` built it. */
  const built = (subject: string, id: string): GraphWrite => ({
    kind: 'replace',
    tree: { ...user(id, `${id}@example.com`), children: [{ entity: 'Email', id: `${id}:mail`, attributes: { value: `${id}@example.com` }, children: [] }] },
    sourceDocument: { sub_id: { format: 'scim', uri: `/Users/${subject}`, id: subject } },
  });
  const withWrites = async (...writes: GraphWrite[]): Promise<PushEventCompletion> => ({ ...(await accepted(writes[0]!)), writes });

  it('deletes a node with its children and writes its successor in one event (a rename)', async () => {
    expect(await store.completePushEvents([await accepted(built('r1', 'cb-old'))])).toEqual([true]);
    const rename = await withWrites({ kind: 'delete', entity: 'User', id: 'cb-old', builtBy: '/Users/r1' }, built('r1', 'cb-new'));
    expect(await store.completePushEvents([rename])).toEqual([true]);
    expect(await store.getNode(sor.record.id, 'User', 'cb-old')).toBeUndefined();
    expect(await store.getChildren(sor.record.id, 'User', 'cb-old')).toEqual([]);
    expect(await store.getChildren(sor.record.id, 'User', 'cb-new')).toHaveLength(1);
    expect(await store.findNodeIdsBySubject(sor.record.id, 'User', { uri: '/Users/r1', id: 'r1' })).toEqual(['cb-new']);
  });

  it('leaves a node that an earlier event of the batch gave to another subject, whose source the delete\'s builtBy no longer names', async () => {
    expect(await store.completePushEvents([await accepted(built('r2', 'cb-taken'))])).toEqual([true]);
    const takeover = await accepted(built('r3', 'cb-taken'));
    const rename = await withWrites({ kind: 'delete', entity: 'User', id: 'cb-taken', builtBy: '/Users/r2' }, built('r2', 'cb-moved'));
    expect(await store.completePushEvents([takeover, rename])).toEqual([true, true]);
    expect(await store.getNodeSource(sor.record.id, 'User', 'cb-taken')).toMatchObject({ sub_id: { uri: '/Users/r3' } });
    expect(await store.getChildren(sor.record.id, 'User', 'cb-taken')).toHaveLength(1);
    expect(await store.getNode(sor.record.id, 'User', 'cb-moved')).toBeDefined();
  });

  it('writes nothing of an event that is no longer accepted', async () => {
    const done = await accepted({ kind: 'replace', tree: user('cb-6', 'first@example.com') });
    expect(await store.completePushEvents([done])).toEqual([true]);
    const again = { ...done, writes: [{ kind: 'replace', tree: user('cb-6', 'second@example.com') }] as GraphWrite[] };
    const fresh = await accepted({ kind: 'replace', tree: user('cb-7', 'seven@example.com') });
    expect(await store.completePushEvents([again, fresh])).toEqual([false, true]);
    expect((await store.getNode(sor.record.id, 'User', 'cb-6'))?.attributes.userName).toBe('first@example.com');
    expect((await store.getPushEvent(sor.record.id, done.id))?.attempts).toBe(1);
  });
});
