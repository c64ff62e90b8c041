import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/graph/group-commit.js';
import type { PushEventRecord } from '../../src/graph/push-events.js';
import type { GraphStore } from '../../src/graph/store.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { backends } from '../support/backends.js';
import { seedTemplate } from '../support/service.js';

describe('GroupCommit', () => {
  it('commits items submitted in one turn together, and those submitted meanwhile in the next batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((n) => n * 10);
    });
    const first = [1, 2, 3].map((n) => group.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    const second = [4, 5].map((n) => group.submit(n));
    release();
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('answers nobody before the commit holding their item is done', async () => {
    let committed = false;
    const group = new GroupCommit<number, boolean>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      committed = true;
      return items.map(() => true);
    });
    await group.submit(1);
    expect(committed).toBe(true);
  });

  it('commits a failed batch again one item at a time, so only the refused item fails', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>((items) => {
      batches.push([...items]);
      if (items.includes(2)) throw new Error(`refused ${items.join(',')}`);
      return items.map((n) => n);
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('refused 2') },
      { status: 'fulfilled', value: 3 },
    ]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('keeps batches to the most items asked for', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>((items) => {
      sizes.push(items.length);
      return [...items];
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => group.submit(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });
});

describe.each(backends())('event log group commit on $name', (backend) => {
  let store: GraphStore;
  let sorId: string;

  beforeAll(async () => {
    store = await backend.open();
    sorId = (await new SystemsOfRecord(store).create(readSystemOfRecordRequest({ template: seedTemplate }))).record.id;
  });
  afterAll(() => backend.dispose());

  const accepted = (id: string, jti: string, sor = sorId): PushEventRecord => ({
    id, sorId: sor, receivedAt: new Date().toISOString(), protocol: 'set', method: 'POST', path: '/', authentication: { bearer: 'valid' },
    status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: jti, jti, raw: `raw-${id}`,
  });

  it('records concurrent events in order, each redelivery in the same batch or a later one as a duplicate', async () => {
    const outcomes = await Promise.all([
      store.recordPushEvent(accepted('gc-1', 'j-1')),
      store.recordPushEvent(accepted('gc-2', 'j-2')),
      store.recordPushEvent(accepted('gc-3', 'j-1')),
      store.recordPushEvent(accepted('gc-4', 'j-3')),
      store.recordPushEvent(accepted('gc-5', 'j-2')),
    ]);
    expect(outcomes).toEqual(['recorded', 'recorded', 'duplicate', 'recorded', 'duplicate']);
    expect(await store.recordPushEvent(accepted('gc-6', 'j-3'))).toBe('duplicate');
    const recorded = await Promise.all(['gc-1', 'gc-2', 'gc-4'].map((id) => store.getPushEvent(sorId, id)));
    const sequences = recorded.map((event) => event!.sequence!);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    for (const id of ['gc-3', 'gc-5', 'gc-6']) expect(await store.getPushEvent(sorId, id)).toBeUndefined();
    expect((await store.pendingPushEvents(100)).map((event) => event.id)).toEqual(['gc-1', 'gc-2', 'gc-4']);
  });

  it('fails only the event the database refuses; the others of its batch are recorded', async () => {
    const outcomes = await Promise.allSettled([
      store.recordPushEvent(accepted('gc-ok-1', 'k-1')),
      store.recordPushEvent(accepted('gc-bad', 'k-2', 'no-such-sor')),
      store.recordPushEvent(accepted('gc-ok-2', 'k-3')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.getPushEvent(sorId, 'gc-ok-1')).toMatchObject({ status: 'accepted', jti: 'k-1' });
    expect(await store.getPushEvent(sorId, 'gc-ok-2')).toMatchObject({ status: 'accepted', jti: 'k-3' });
    expect(await store.getPushEvent('no-such-sor', 'gc-bad')).toBeUndefined();
  });
});
