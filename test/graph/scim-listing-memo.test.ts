import { describe, expect, it } from 'vitest';
import { LISTING_MEMO_TTL_MS, ScimListingMemo, memoKey } from '../../src/graph/scim-listing-memo.js';

describe('ScimListingMemo', () => {
  const key = memoKey('r.sor_id = ?', ['sor-a', 'User'], false);

  it('remembers totals and positions until the SoR changes', () => {
    const memo = new ScimListingMemo();
    const generation = memo.generation('sor-a');
    memo.rememberTotal('sor-a', key, generation, 42);
    memo.rememberPosition('sor-a', key, generation, 100, 'id-100');
    expect(memo.total('sor-a', key)).toBe(42);
    expect(memo.position('sor-a', key, 100)).toBe('id-100');
    expect(memo.position('sor-a', key, 200)).toBeUndefined();
    expect(memo.total('sor-b', key)).toBeUndefined();
    memo.changed('sor-b');
    expect(memo.total('sor-a', key)).toBe(42);
    memo.changed('sor-a');
    expect(memo.total('sor-a', key)).toBeUndefined();
    expect(memo.position('sor-a', key, 100)).toBeUndefined();
  });

  it('files nothing that a query learnt while a write to its SoR was happening', () => {
    const memo = new ScimListingMemo();
    const before = memo.generation('sor-a');
    memo.changed('sor-a');
    memo.rememberTotal('sor-a', key, before, 42);
    expect(memo.total('sor-a', key)).toBeUndefined();
  });

  it('forgets after the TTL, the bound on staleness from writes by other instances', () => {
    let now = 1_000;
    const memo = new ScimListingMemo(() => now);
    memo.rememberTotal('sor-a', key, memo.generation('sor-a'), 42);
    now += LISTING_MEMO_TTL_MS;
    expect(memo.total('sor-a', key)).toBe(42);
    now += 1;
    expect(memo.total('sor-a', key)).toBeUndefined();
  });

  it('tells queries apart by condition, parameters and direction', () => {
    const memo = new ScimListingMemo();
    memo.rememberTotal('sor-a', key, 0, 42);
    expect(memo.total('sor-a', memoKey('r.sor_id = ?', ['sor-a', 'Group'], false))).toBeUndefined();
    memo.rememberPosition('sor-a', key, 0, 2, 'b');
    expect(memo.position('sor-a', memoKey('r.sor_id = ?', ['sor-a', 'User'], true), 2)).toBeUndefined();
  });
});
