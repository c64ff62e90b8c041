import { describe, expect, it } from 'vitest';
import { parseEqualityFilter } from '../../src/explorer/simple-filter.js';

describe('parseEqualityFilter', () => {
  it.each([
    ['userName eq "jdoe@example.com"', { attribute: 'userName', value: 'jdoe@example.com' }],
    ['active EQ true', { attribute: 'active', value: true }],
    ['count eq 42', { attribute: 'count', value: 42 }],
    ['name eq "say \\"hi\\""', { attribute: 'name', value: 'say "hi"' }],
  ])('reads %s', (text, expected) => {
    expect(parseEqualityFilter(text)).toEqual(expected);
  });

  it.each(['userName co "x"', 'userName eq', 'eq "x"', 'a eq "x" and b eq "y"', "id eq 'x'"])('refuses %s', (text) => {
    expect(parseEqualityFilter(text)).toEqual({ error: expect.stringContaining('unsupported filter') });
  });
});
