import { describe, expect, it } from 'vitest';
import { ResourceWriteQueue, retryStaleWrite, type StaleWriteRetries } from '../../src/scim/concurrent-writes.js';
import { ScimError } from '../../src/scim/scim-error.js';

const quick: StaleWriteRetries = { attempts: 3, pauseMs: () => 0, retryAfterSeconds: 2 };

describe('retryStaleWrite', () => {
  it('tries again while the write finds the resource changed, and returns the first result that is not stale', async () => {
    const results: ('stale' | string)[] = ['stale', 'stale', 'written'];
    let calls = 0;
    expect(await retryStaleWrite(async () => results[calls++]!, 'the Group', quick)).toBe('written');
    expect(calls).toBe(3);
  });

  it('answers a retryable 503 with Retry-After, not a 412, when every attempt lost', async () => {
    let calls = 0;
    const failure = await retryStaleWrite(async () => (calls++, 'stale' as const), 'the Group', quick).catch((error: unknown) => error);
    expect(calls).toBe(3);
    expect(failure).toBeInstanceOf(ScimError);
    expect(failure).toMatchObject({ status: 503, retryAfterSeconds: 2, detail: 'the Group kept changing while it was being written (3 attempts); retry' });
    expect((failure as ScimError).body()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '503',
      detail: 'the Group kept changing while it was being written (3 attempts); retry',
    });
  });

  it('lets any other refusal through at once', async () => {
    let calls = 0;
    await expect(retryStaleWrite(async () => {
      calls++;
      throw new ScimError(412, 'stale If-Match');
    }, 'the User', quick)).rejects.toMatchObject({ status: 412 });
    expect(calls).toBe(1);
  });
});

describe('ResourceWriteQueue', () => {
  it('runs the writes to one resource one after another, and those to different resources side by side', async () => {
    const queue = new ResourceWriteQueue();
    const log: string[] = [];
    const write = (key: string, name: string, ms: number) =>
      queue.run(key, async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`end ${name}`);
        return name;
      });
    const results = await Promise.all([write('Group/1', 'a', 20), write('Group/1', 'b', 1), write('Group/2', 'c', 1)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log.indexOf('end a')).toBeLessThan(log.indexOf('start b'));
    expect(log.indexOf('start c')).toBeLessThan(log.indexOf('end a'));
  });

  it('goes on with the next write after one fails', async () => {
    const queue = new ResourceWriteQueue();
    const failed = queue.run('User/1', async () => {
      throw new Error('refused');
    });
    const next = queue.run('User/1', async () => 'written');
    await expect(failed).rejects.toThrow('refused');
    expect(await next).toBe('written');
  });
});
