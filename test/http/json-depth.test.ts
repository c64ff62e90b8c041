import { describe, expect, it } from 'vitest';
import { exceedsDepth, hasLoneSurrogate } from '../../src/http/json-depth.js';

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

describe('hasLoneSurrogate', () => {
  it('finds half a surrogate pair in a string or a key, at any depth, and passes whole pairs', () => {
    expect(hasLoneSurrogate(JSON.parse('{"a":["x\\ud800y"]}'))).toBe(true);
    expect(hasLoneSurrogate(JSON.parse('{"a":{"\\udc00":1}}'))).toBe(true);
    expect(hasLoneSurrogate(JSON.parse('"end\\ud83d"'))).toBe(true);
    expect(hasLoneSurrogate(JSON.parse('{"emoji":"\\ud83d\\ude00","text":"École"}'))).toBe(false);
  });
});
