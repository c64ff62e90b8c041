import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore, NodeTree, SystemOfRecordRecord } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';

describe.each(backends())('attribute index plan and builds on $name', (backend) => {
  let store: GraphStore;
  let sor: SystemOfRecordRecord;

  beforeAll(async () => {
    store = await backend.open();
    const at = new Date().toISOString();
    sor = {
      id: 'plan-sor', displayName: 'Plan', pushType: 'SCIM', deliveryMethod: 'entityPush', templateYaml: 'x', verification: {},
      indexPlan: { User: ['id'] }, createdAt: at, updatedAt: at,
    };
    await store.createSystemOfRecord(sor);
  });
  afterAll(() => backend.dispose());

  const user = (id: string, attributes: Record<string, string>): NodeTree => ({ entity: 'User', id, attributes: { id, ...attributes }, children: [] });
  const ids = async (attribute: string, value: string) => (await store.findNodes(sor.id, 'User', attribute, value)).map((node) => node.id);

  it('keeps the plan and the builds with the SoR', async () => {
    expect(await store.getSystemOfRecord(sor.id)).toMatchObject({ indexPlan: { User: ['id'] } });
    expect((await store.getSystemOfRecord(sor.id))?.indexBuilds).toBeUndefined();
  });

  it('indexes a write by the plan stored with the SoR, not by the one the writer read before it changed', async () => {
    await store.replaceNodes(sor.id, [user('a', { dept: 'x', site: 's' })], { indexedAttributes: { User: ['id'] } });
    expect(await ids('dept', 'x')).toEqual([]);
    sor = { ...sor, indexPlan: { User: ['id', 'dept'] } };
    await store.updateSystemOfRecord(sor);
    // A writer that read the old plan (only id) still writes the dept row.
    await store.replaceNodes(sor.id, [user('b', { dept: 'x', site: 's' })], { indexedAttributes: { User: ['id'] } });
    expect(await ids('dept', 'x')).toEqual(['b']);
  });

  it('does the same for the inbox worker\'s completions', async () => {
    await store.recordPushEvent({
      id: 'plan-ev', sorId: sor.id, receivedAt: new Date().toISOString(), protocol: 'set', method: 'POST', path: '/',
      authentication: { bearer: 'valid' }, status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: 'plan-ev',
    });
    const done = await store.completePushEvents([{
      sorId: sor.id, id: 'plan-ev', outcome: { status: 'applied', operations: [], at: new Date() },
      writes: [{ kind: 'replace', tree: user('c', { dept: 'x', site: 's' }) }], options: { indexedAttributes: { User: ['id'] } },
    }]);
    expect(done).toEqual([true]);
    expect(await ids('dept', 'x')).toEqual(['b', 'c']);
  });

  it('builds the rows of new attributes for the nodes written before, a page at a time in id order', async () => {
    sor = { ...sor, indexPlan: { User: ['id', 'dept', 'site'] }, indexBuilds: { User: ['dept', 'site'] } };
    await store.updateSystemOfRecord(sor);
    expect(await ids('site', 's')).toEqual([]);
    const first = await store.buildAttributeIndex(sor.id, 'User', ['dept', 'site'], undefined, 2);
    expect(first).toEqual({ nodes: 2, last: 'b' });
    expect(await ids('dept', 'x')).toEqual(['a', 'b', 'c']);
    expect(await ids('site', 's')).toEqual(['a', 'b']);
    expect(await store.buildAttributeIndex(sor.id, 'User', ['dept', 'site'], 'b', 2)).toEqual({ nodes: 1, last: 'c' });
    expect(await ids('site', 's')).toEqual(['a', 'b', 'c']);
    expect(await store.buildAttributeIndex(sor.id, 'User', ['dept', 'site'], 'c', 2)).toEqual({ nodes: 0 });
    expect(await store.buildAttributeIndex(sor.id, 'Group', ['dept'], undefined, 2)).toEqual({ nodes: 0 });
  });

  it('replaces rows that no longer match the node when building again', async () => {
    // A row left from before the attribute was dropped from the plan, for a value the node no longer has.
    await store.replaceNodes(sor.id, [user('a', { dept: 'y', site: 's' })], { indexedAttributes: { User: ['id'] } });
    await store.buildAttributeIndex(sor.id, 'User', ['dept'], undefined, 10);
    expect(await ids('dept', 'x')).toEqual(['b', 'c']);
    expect(await ids('dept', 'y')).toEqual(['a']);
  });

  it('takes only the finished attributes off the builds', async () => {
    await store.finishIndexBuild(sor.id, 'User', ['site']);
    expect((await store.getSystemOfRecord(sor.id))?.indexBuilds).toEqual({ User: ['dept'] });
    await store.finishIndexBuild(sor.id, 'User', ['dept']);
    expect((await store.getSystemOfRecord(sor.id))?.indexBuilds).toBeUndefined();
    await store.finishIndexBuild(sor.id, 'User', ['dept']);
    await store.finishIndexBuild('no-such-sor', 'User', ['dept']);
    expect((await store.getSystemOfRecord(sor.id))?.updatedAt).toBe(sor.updatedAt);
  });
});
