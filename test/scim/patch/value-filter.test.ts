import { describe, expect, it } from 'vitest';
import { equalityFilters, type CaseRules } from '../../../src/scim/patch/index.js';

const caseInsensitive: CaseRules = { caseExact: () => false };
const caseExactValue: CaseRules = { caseExact: (name) => name === 'value' };

describe('equalityFilters', () => {
  it('reads eq comparisons joined by and, with JSON string escapes, numbers, booleans and null', () => {
    const filter = equalityFilters.parse('type eq "wo\\"rk" AND primary EQ True and rank eq 2 and display eq null');
    expect(equalityFilters.requiredValues(filter)).toEqual({ type: 'wo"rk', primary: true, rank: 2, display: null });
  });

  it('matches sub-attribute names case-insensitively and strings by the case rules', () => {
    const filter = equalityFilters.parse('value eq "AbC"');
    expect(equalityFilters.matches({ Value: 'abc' }, filter, caseInsensitive)).toBe(true);
    expect(equalityFilters.matches({ Value: 'abc' }, filter, caseExactValue)).toBe(false);
    expect(equalityFilters.matches({ value: 'AbC' }, filter, caseExactValue)).toBe(true);
    expect(equalityFilters.matches('AbC', filter, caseInsensitive)).toBe(false);
  });

  it('treats eq null as absent', () => {
    const filter = equalityFilters.parse('display eq null');
    expect(equalityFilters.matches({ value: 'x' }, filter, caseInsensitive)).toBe(true);
    expect(equalityFilters.matches({ value: 'x', display: 'X' }, filter, caseInsensitive)).toBe(false);
  });

  it('keeps brackets and spaces inside quoted strings', () => {
    const filter = equalityFilters.parse('value eq "a ] and b"');
    expect(equalityFilters.requiredValues(filter)).toEqual({ value: 'a ] and b' });
  });

  it('describes no value for contradictory comparisons', () => {
    expect(equalityFilters.requiredValues(equalityFilters.parse('type eq "a" and type eq "b"'))).toBeUndefined();
  });

  it.each([
    ['', 'the filter is empty'],
    ['type eq', 'a comparison value is missing'],
    ['type eq "work" and', 'the filter ends after "and"'],
    ['type eq "work', 'unterminated string in "type eq \\"work"'],
    ['type sw "w"', 'unsupported comparison "sw": value filters support "eq" joined by "and"'],
    ['(type eq "w")', '"(type" is not an attribute name'],
  ])('refuses %j', (text, message) => {
    expect(() => equalityFilters.parse(text)).toThrow(message);
  });
});
