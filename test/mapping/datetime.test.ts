import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../../src/mapping/datetime.js';

describe('parseRfc3339', () => {
  it.each([
    ['2030-02-28T00:00:00Z', '2030-02-28T00:00:00.000Z'],
    ['2028-02-29T12:30:00.5+02:00', '2028-02-29T10:30:00.500Z'],
  ])('reads %s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each(['2030-02-30T00:00:00Z', '2030-02-29T00:00:00Z', '2030-04-31T00:00:00Z', '2030-13-01T00:00:00Z', '2030-01-01T24:00:00Z', '2030-01-01', 'Tue, 01 Jan 2030 00:00:00 GMT'])(
    'refuses %s, which is not a calendar time in RFC 3339',
    (text) => {
      expect(parseRfc3339(text)).toBeUndefined();
    },
  );
});
