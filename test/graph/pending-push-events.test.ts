import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushEventRecord } from '../../src/graph/push-events.js';
import type { GraphStore } from '../../src/graph/store.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { backends } from '../support/backends.js';
import { seedTemplate } from '../support/service.js';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(backends())('pendingPushEvents on $name', (backend) => {
  let store: GraphStore;
  let sorId: string;

  beforeAll(async () => {
    store = await backend.open();
    sorId = (await new SystemsOfRecord(store).create(readSystemOfRecordRequest({ template: seedTemplate }))).record.id;
  });
  afterAll(() => backend.dispose());

  const event = (id: string, fields: Partial<PushEventRecord>): PushEventRecord => ({
    id, sorId, receivedAt: '2030-01-01T00:00:00.000Z', protocol: 'set', method: 'POST', path: '/', authentication: { bearer: 'valid' },
    status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: id, jti: id, subject: `/Users/${id}`, ...fields,
  });

  it('reads what the worker needs, the claims decoded from the SET as received or from an older store\'s decoded column', async () => {
    const claims = { jti: 'p-1', sub_id: { format: 'scim', uri: '/Users/p-1', id: 'p-1' } };
    await store.recordPushEvent(event('p-1', { raw: `${segment({ alg: 'HS256' })}.${segment(claims)}.sig` }));
    await store.recordPushEvent(event('p-2', { status: 'refused', httpStatus: 400, dedupKey: undefined, raw: 'not a jws' }));
    await store.recordPushEvent(event('p-3', { raw: 'x.y', decoded: { header: { alg: 'HS256' }, claims: { jti: 'p-3' } } }));
    await store.recordPushEvent(event('p-4', { raw: `${segment({ alg: 'HS256' })}.not-json.sig` }));
    await store.recordPushEvent(event('p-5', { raw: `${segment({ alg: 'HS256' })}.${segment(['a list'])}.sig` }));

    const pending = await store.pendingPushEvents(10);
    expect(pending.map((e) => e.id)).toEqual(['p-1', 'p-3', 'p-4', 'p-5']);
    expect(pending[0]).toEqual({
      id: 'p-1', sorId, sequence: expect.any(Number), receivedAt: '2030-01-01T00:00:00.000Z', subject: '/Users/p-1', jti: 'p-1', attempts: 0, claims,
    });
    expect(pending[1]!.claims).toEqual({ jti: 'p-3' });
    // The worker records these as failed ("the stored event has no claims") instead of stopping at them.
    expect(pending[2]!.claims).toBeUndefined();
    expect(pending[3]!.claims).toBeUndefined();
    expect(pending[0]!.sequence).toBeLessThan(pending[1]!.sequence);
    expect((await store.pendingPushEvents(1)).map((e) => e.id)).toEqual(['p-1']);
  });
});
