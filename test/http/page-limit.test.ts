import { describe, expect, it } from 'vitest';
import { pageLimit } from '../../src/http/page-limit.js';

describe('pageLimit', () => {
  const sizes = { fallback: 50, max: 500 };

  it('takes the default when no count is given, and at most the maximum', () => {
    expect(pageLimit(undefined, sizes)).toBe(50);
    expect(pageLimit('7', sizes)).toBe(7);
    expect(pageLimit('9999', sizes)).toBe(500);
  });

  it('refuses a count of 0', () => {
    expect(() => pageLimit('0', sizes)).toThrowError('"count" must be at least 1');
  });
});
