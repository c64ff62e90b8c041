import { describe, expect, it } from 'vitest';
import {
  EXPECTED,
  convertBool,
  convertDateTime,
  convertDouble,
  convertDuration,
  convertInt64,
  convertString,
  convertValue,
  type Conversion,
} from '../../src/mapping/convert.js';
import type { AttributeType, ScalarValue } from '../../src/template/model.js';

type Accepted = [raw: unknown, value: ScalarValue];

function accepts(convert: (raw: unknown) => Conversion, table: Accepted[]): void {
  it.each(table)('accepts %j as %j', (raw, value) => {
    expect(convert(raw)).toEqual({ ok: true, value });
  });
}

function rejects(convert: (raw: unknown) => Conversion, type: AttributeType, table: unknown[]): void {
  it.each(table.map((raw) => [raw]))('rejects %j', (raw) => {
    expect(convert(raw)).toEqual({ ok: false, expected: EXPECTED[type] });
  });
}

describe('String', () => {
  accepts(convertString, [
    ['jdoe', 'jdoe'],
    ['', ''],
    ['12', '12'],
  ]);
  rejects(convertString, 'String', [12, true, 0]);
});

describe('Int64', () => {
  accepts(convertInt64, [
    [0, 0],
    [-5, -5],
    [42, 42],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER],
  ]);
  rejects(convertInt64, 'Int64', [1.5, '12', Number.MAX_SAFE_INTEGER + 1, true, Number.NaN, Number.POSITIVE_INFINITY]);
});

describe('Double', () => {
  accepts(convertDouble, [
    [1.5, 1.5],
    [0, 0],
    [3, 3],
    [-1e300, -1e300],
  ]);
  rejects(convertDouble, 'Double', ['1.5', true, Number.NaN, Number.POSITIVE_INFINITY]);
});

describe('Bool', () => {
  accepts(convertBool, [
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    ['1', true],
    ['0', false],
    [1, true],
    [0, false],
  ]);
  rejects(convertBool, 'Bool', ['yes', 'no', '', ' true', 2, -1, 0.5, '01']);
});

describe('DateTime', () => {
  const reference = '2006-01-02T22:04:05.000Z';
  accepts(convertDateTime, [
    ['2006-01-02T15:04:05-07:00', reference],
    ['2006-01-02T22:04:05Z', reference],
    ['2006-01-02t22:04:05z', reference],
    ['2006-01-02T15:04:05.123456789-07:00', '2006-01-02T22:04:05.123Z'],
    ['2006-01-02T22:04:05.5Z', '2006-01-02T22:04:05.500Z'],
    ['Mon, 02 Jan 2006 15:04:05 -0700', reference],
    ['Mon, 02 Jan 2006 15:04:05 MST', reference],
    ['Mon, 02 Jan 2006 22:04:05 GMT', reference],
    ['Mon, 02 Jan 2006 22:04:05 UTC', reference],
    ['Mon, 02 Jan 2006 17:04:05 EST', reference],
    ['02 Jan 06 15:04 MST', '2006-01-02T22:04:00.000Z'],
    ['02 Jan 06 15:04 -0700', '2006-01-02T22:04:00.000Z'],
    ['02 Jan 99 15:04 +0000', '1999-01-02T15:04:00.000Z'],
    ['02 Jan 68 15:04 +0000', '2068-01-02T15:04:00.000Z'],
    ['Monday, 02-Jan-06 15:04:05 MST', reference],
    ['Mon Jan  2 22:04:05 2006', reference],
    ['Mon Jan 2 22:04:05 2006', reference],
    ['Thu Jan 12 22:04:05 2006', '2006-01-12T22:04:05.000Z'],
    ['2006-01-02 22:04:05', reference],
    ['2006-01-02 22:04:05.25', '2006-01-02T22:04:05.250Z'],
    ['2006-01-02', '2006-01-02T00:00:00.000Z'],
    ['2006/01/02', '2006-01-02T00:00:00.000Z'],
    ['01/02/2006', '2006-01-02T00:00:00.000Z'],
    ['2008-02-29', '2008-02-29T00:00:00.000Z'],
    [1136239445, reference],
    [1136239445.5, '2006-01-02T22:04:05.500Z'],
    ['1136239445', reference],
    [0, '1970-01-01T00:00:00.000Z'],
    ['20060102220405Z', reference],
    ['20060102220405.123Z', '2006-01-02T22:04:05.123Z'],
    ['20060102150405-0700', reference],
    ['20060102170405-05', reference],
    ['20060102220405', reference],
  ]);
  accepts(convertDateTime, [
    [253402300799, '9999-12-31T23:59:59.000Z'],
    [-62167219200, '0000-01-01T00:00:00.000Z'],
  ]);
  // Outside years 0000-9999 an ISO string is no longer RFC 3339 and would not order with the others.
  rejects(convertDateTime, 'DateTime', [253402300800, -62167219201, '253402300800']);
  rejects(convertDateTime, 'DateTime', [
    '2006-02-30',
    '2007-02-29',
    '2006-13-01',
    '2006-01-02T25:00:00Z',
    '2006-01-02T22:04:60Z',
    '2006-01-02T22:04:05',
    '2006-01-02T22:04:05+24:00',
    'Mon, 02 Jan 2006 15:04:05 XYZ',
    'Mon, 2 Jan 2006 15:04:05 MST',
    'yesterday',
    '',
    '-5',
    '12.5',
    1e20,
    true,
  ]);
});

describe('Duration', () => {
  accepts(convertDuration, [
    ['P1Y2M3DT4H5M6S', 'P1Y2M3DT4H5M6S'],
    ['PT0S', 'PT0S'],
    ['P1W', 'P1W'],
    ['PT1.5S', 'PT1.5S'],
    ['PT1,5S', 'PT1,5S'],
    ['P0.5Y', 'P0.5Y'],
    ['-P1D', '-P1D'],
    ['P1DT12H', 'P1DT12H'],
    ['PT36H', 'PT36H'],
  ]);
  rejects(convertDuration, 'Duration', ['P', 'PT', 'P1DT', '1D', 'P1.5YT1H', 'P1H', 'pt1s', 'P1D ', 5, true]);
});

describe('convertValue', () => {
  it.each(['String', 'Int64', 'Double', 'Bool', 'DateTime', 'Duration'] as const)('drops null for %s', (type) => {
    expect(convertValue(type, null)).toBeUndefined();
  });

  it('dispatches on the type', () => {
    expect(convertValue('Bool', 'False')).toEqual({ ok: true, value: false });
    expect(convertValue('Int64', '7')).toEqual({ ok: false, expected: EXPECTED.Int64 });
  });
});
