import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearNodes } from '../../src/bulk/clear-nodes.js';
import type { Progress } from '../../src/bulk/progress.js';
import type { GraphStore } from '../../src/graph/store.js';
import { indexedAttributesOf } from '../../src/graph/tree.js';
import { ScimResources } from '../../src/scim/resources.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { backends } from '../support/backends.js';
import { PUBLIC_URL, seedTemplate } from '../support/service.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** More than the clear's pages hold, so that it has to page on. */
const NODES = 250;
/** Where a clear that chases a sender's writes is stopped, so that the test ends either way. */
const GIVE_UP = 2000;

/**
 * A sender that goes on pushing while an operator clears the SoR: every node or resource the clear deletes is
 * answered by a new one. The clear must end after what was there when it started, not chase the sender forever.
 */
describe.each(backends())('clearing a SoR while a sender keeps pushing on $name', (backend) => {
  let store: GraphStore;
  let systemsOfRecord: SystemsOfRecord;

  beforeAll(async () => {
    store = await backend.open();
    systemsOfRecord = new SystemsOfRecord(store);
  });
  afterAll(() => backend.dispose());

  /** Calls `push` once per step the operation reports, up to GIVE_UP times; the promises are awaited at the end. */
  function pushOnEveryStep(operation: string, push: (n: number) => Promise<unknown>) {
    const pushes: Promise<unknown>[] = [];
    const onProgress = (progress: Progress) => {
      if (progress.operation !== operation || progress.done === 0 || pushes.length >= GIVE_UP) return;
      pushes.push(push(pushes.length));
    };
    return { onProgress, pushes };
  }

  it('deletes the nodes there were when it started and ends, though new ones keep coming', async () => {
    const sor = await systemsOfRecord.create({ templateYaml: seedTemplate });
    const sorId = sor.record.id;
    const written = { indexedAttributes: indexedAttributesOf(sor.template) };
    const user = (id: string) => ({ entity: 'User', id, attributes: { id, userName: `${id}@example.com` }, children: [] });
    for (let i = 0; i < NODES; i++) await store.replaceNode(sorId, user(`u${String(i).padStart(4, '0')}`), written);
    // New ids sort after every id there was, where a clear that reads on through the nodes would meet them again.
    const sender = pushOnEveryStep('clear-nodes', (n) => store.replaceNode(sorId, user(`z${String(n).padStart(4, '0')}`), written));
    const result = await clearNodes(store, sor, PUBLIC_URL, sender.onProgress);
    await Promise.all(sender.pushes);
    expect(sender.pushes.length).toBeLessThan(GIVE_UP);
    expect(result.deleted).toBeGreaterThanOrEqual(NODES);
    expect(result.deleted).toBeLessThan(2 * NODES);
    expect(await store.getNode(sorId, 'User', 'u0000')).toBeUndefined();
  });

  it('deletes the SCIM resources there were when it started and ends, though an IdP keeps creating users', async () => {
    const sor = await systemsOfRecord.create(readSystemOfRecordRequest({ pushType: 'SCIM2.0' }));
    const resources = new ScimResources(store, sor, `${PUBLIC_URL}/scim/v2/${sor.record.id}`, 'test');
    for (let i = 0; i < NODES; i++) await resources.create('User', { schemas: [USER_SCHEMA], userName: `a${i}@example.com` });
    const idp = pushOnEveryStep('clear-scim-resources', (n) => resources.create('User', { schemas: [USER_SCHEMA], userName: `b${n}@example.com` }));
    const result = await clearNodes(store, sor, PUBLIC_URL, idp.onProgress);
    await Promise.all(idp.pushes);
    expect(idp.pushes.length).toBeLessThan(GIVE_UP);
    expect(result.deletedScimResources).toBeGreaterThanOrEqual(NODES);
    expect(result.deletedScimResources).toBeLessThan(2 * NODES);
    expect((await store.queryScimResources(sor.record.id, 'User', { count: 0 })).total).toBeLessThanOrEqual(idp.pushes.length);
  });
});
