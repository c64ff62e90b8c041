import type { AttributeType, ScalarValue } from '../template/model.js';
import { parseDateTime } from './datetime.js';

/** The outcome of converting one non-null pushed value to an attribute type. */
export type Conversion = { ok: true; value: ScalarValue } | { ok: false; expected: string };

/** What each type accepts, worded for error messages. */
export const EXPECTED: Readonly<Record<AttributeType, string>> = {
  String: 'String (a JSON string)',
  Int64: 'Int64 (a JSON integer between -(2^53-1) and 2^53-1)',
  Double: 'Double (a finite JSON number)',
  Bool: 'Bool (true/false, "true"/"false"/"1"/"0" in any case, or 0/1)',
  DateTime:
    'DateTime (RFC 3339, RFC 1123(Z), RFC 822(Z), RFC 850, ANSIC, "2006-01-02 15:04:05", "2006-01-02", ' +
    '"2006/01/02", "01/02/2006", Unix seconds or LDAP GeneralizedTime; years 0000-9999)',
  Duration: 'Duration (an ISO 8601 duration such as "P1DT2H")',
};

function invalid(type: AttributeType): Conversion {
  return { ok: false, expected: EXPECTED[type] };
}

export function convertString(raw: unknown): Conversion {
  return typeof raw === 'string' ? { ok: true, value: raw } : invalid('String');
}

export function convertInt64(raw: unknown): Conversion {
  return typeof raw === 'number' && Number.isSafeInteger(raw) ? { ok: true, value: raw } : invalid('Int64');
}

export function convertDouble(raw: unknown): Conversion {
  return typeof raw === 'number' && Number.isFinite(raw) ? { ok: true, value: raw } : invalid('Double');
}

const BOOL_STRINGS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };

export function convertBool(raw: unknown): Conversion {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (raw === 0 || raw === 1) return { ok: true, value: raw === 1 };
  if (typeof raw === 'string' && Object.hasOwn(BOOL_STRINGS, raw.toLowerCase())) {
    return { ok: true, value: BOOL_STRINGS[raw.toLowerCase()] as boolean };
  }
  return invalid('Bool');
}

export function convertDateTime(raw: unknown): Conversion {
  const date = parseDateTime(raw);
  return date === undefined ? invalid('DateTime') : { ok: true, value: date.toISOString() };
}

const NUMBER = '(\\d+(?:[.,]\\d+)?)';
const DURATION = new RegExp(
  `^[-+]?P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?` +
    `(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
);

/** ISO 8601 durations are stored as given; only the lowest-order component may have a fraction. */
export function convertDuration(raw: unknown): Conversion {
  if (typeof raw !== 'string' || raw.endsWith('T')) return invalid('Duration');
  const match = DURATION.exec(raw);
  const components = match?.slice(1).filter((c) => c !== undefined) ?? [];
  if (components.length === 0) return invalid('Duration');
  const fractional = components.findIndex((c) => /[.,]/.test(c));
  if (fractional !== -1 && fractional !== components.length - 1) return invalid('Duration');
  return { ok: true, value: raw };
}

export const CONVERTERS: Readonly<Record<AttributeType, (raw: unknown) => Conversion>> = {
  String: convertString,
  Int64: convertInt64,
  Double: convertDouble,
  Bool: convertBool,
  DateTime: convertDateTime,
  Duration: convertDuration,
};

/** Converts a pushed value; null gives undefined, because null means the attribute is absent. */
export function convertValue(type: AttributeType, raw: unknown): Conversion | undefined {
  if (raw === null || raw === undefined) return undefined;
  return CONVERTERS[type](raw);
}
