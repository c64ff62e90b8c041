import { describe, expect, it } from 'vitest';
import { childIdRanges, childNodeId } from '../../src/graph/child-ids.js';

describe('child node ids', () => {
  it('are the same as before escaping when no part contains ":" or "%"', () => {
    expect(childNodeId({ id: 'g1', isChild: false }, 'u1')).toBe('g1:u1');
    expect(childNodeId({ id: 'g1', isChild: false }, 0)).toBe('g1:0');
  });

  it('escape a top-level parent id and the key, and take a child parent id as it is', () => {
    expect(childNodeId({ id: 'a', isChild: false }, 'b:c')).toBe('a:b%3Ac');
    expect(childNodeId({ id: 'a:b', isChild: false }, 'c')).toBe('a%3Ab:c');
    expect(childNodeId({ id: '100%', isChild: false }, '%3A')).toBe('100%25:%253A');
    expect(childNodeId({ id: 'a%3Ab:c', isChild: true }, 'd:e')).toBe('a%3Ab:c:d%3Ae');
  });

  it('are found in the ranges of their parent, with those stored under the unescaped parent id', () => {
    expect(childIdRanges('g1')).toEqual([['g1:', 'g1;']]);
    const ranges = childIdRanges('a:b');
    expect(ranges).toEqual([['a%3Ab:', 'a%3Ab;'], ['a:b:', 'a:b;']]);
    const inRange = (id: string) => ranges.some(([from, to]) => id >= from && id < to);
    expect(inRange(childNodeId({ id: 'a:b', isChild: false }, 'c:d'))).toBe(true);
    expect(inRange('a:b:c')).toBe(true);
    expect(inRange('a:c')).toBe(false);
  });
});
