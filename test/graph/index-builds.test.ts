import { describe, expect, it } from 'vitest';
import { addedAttributes, unionWithin, withoutAttributes } from '../../src/graph/index-builds.js';

describe('index plans', () => {
  it('finds the attributes a new plan adds, per entity', () => {
    expect(addedAttributes({ User: ['id', 'dept'], Email: ['value'] }, { User: ['id'] })).toEqual({ User: ['dept'], Email: ['value'] });
    expect(addedAttributes({ User: ['id'] }, { User: ['id', 'dept'] })).toEqual({});
  });

  it('keeps builds a later change still indexes, adds its own, and drops those it no longer indexes', () => {
    const plan = { User: ['id', 'site', 'title'] };
    expect(unionWithin({ User: ['dept', 'site'] }, { User: ['title'] }, plan)).toEqual({ User: ['site', 'title'] });
    expect(unionWithin(undefined, {}, plan)).toBeUndefined();
    expect(unionWithin({ Group: ['name'] }, {}, plan)).toBeUndefined();
  });

  it('takes finished attributes off, and nothing left is undefined', () => {
    expect(withoutAttributes({ User: ['dept', 'site'], Email: ['type'] }, 'User', ['dept'])).toEqual({ User: ['site'], Email: ['type'] });
    expect(withoutAttributes({ User: ['dept'] }, 'User', ['dept'])).toBeUndefined();
  });
});
