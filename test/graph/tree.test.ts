import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError, pageSize } from '../../src/graph/paging.js';
import { encodeIndexValue, flattenTrees, indexRowsOf } from '../../src/graph/tree.js';

describe('flattenTrees', () => {
  it('lists parents before children, with their parent set, and writes a repeated node once', () => {
    const rows = flattenTrees([
      { entity: 'Group', id: 'g1', attributes: {}, children: [{ entity: 'GroupMember', id: 'g1/u1', attributes: { n: 1 }, children: [] }] },
      { entity: 'GroupMember', id: 'g1/u1', attributes: { n: 2 }, children: [] },
    ]);
    expect(rows).toEqual([
      { entity: 'Group', id: 'g1', attributes: {} },
      { entity: 'GroupMember', id: 'g1/u1', attributes: { n: 2 } },
    ]);
  });
});

describe('indexRowsOf', () => {
  const row = { entity: 'User', id: 'u1', attributes: { userName: 'Ann', tags: ['a', 'b', 'a'], age: 3, active: false, title: 'x' } };

  it('indexes only the named attributes, one row per distinct list element, as text', () => {
    const rows = indexRowsOf(row, { User: ['userName', 'tags', 'age', 'active', 'missing'] });
    expect(rows.map((r) => [r.attribute, r.value, r.valueCi])).toEqual([
      ['userName', 'Ann', 'ann'],
      ['tags', 'a', 'a'],
      ['tags', 'b', 'b'],
      ['age', '3', '3'],
      ['active', 'false', 'false'],
    ]);
    expect(indexRowsOf(row, { Group: ['userName'] })).toEqual([]);
  });

  it('encodes values as the store compares them', () => {
    expect([encodeIndexValue('x'), encodeIndexValue(1.5), encodeIndexValue(true)]).toEqual(['x', '1.5', 'true']);
  });
});

describe('cursors and page sizes', () => {
  it('round-trips any id through an opaque cursor', () => {
    for (const id of ['u1', "x'); DROP TABLE nodes;--", 'Zoë/ü', '']) expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it('rejects a cursor it did not make', () => {
    expect(() => decodeCursor('a+b/c=')).toThrow(InvalidCursorError);
    expect(() => decodeCursor('abc')).toThrow(InvalidCursorError);
  });

  it('defaults to 100 and keeps limits within 1..1000', () => {
    expect([pageSize(undefined), pageSize(0), pageSize(50), pageSize(5000), pageSize(Number.NaN)]).toEqual([100, 1, 50, 1000, 100]);
  });
});
