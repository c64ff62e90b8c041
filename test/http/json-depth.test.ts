import { describe, expect, it } from 'vitest';
import { exceedsDepth } from '../../src/http/json-depth.js';

describe('exceedsDepth', () => {
  it('passes ordinary documents and flags deep ones without recursing', () => {
    expect(exceedsDepth({ a: [{ b: 1 }] })).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(exceedsDepth(deep)).toBe(true);
    expect(exceedsDepth(JSON.parse('['.repeat(64) + ']'.repeat(64)))).toBe(false);
    expect(exceedsDepth(JSON.parse('['.repeat(65) + ']'.repeat(65)))).toBe(true);
  });
});
