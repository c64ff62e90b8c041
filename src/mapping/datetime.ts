/**
 * DateTime parsing for the layouts SGNL's adapter framework accepts (Go's time layouts). Layouts without
 * a zone are read as UTC; zone names are those RFC 822 defines.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SHORT_DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH_NAME = `(?<monthName>${MONTHS.join('|')})`;
const CLOCK = '(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})(?:\\.(?<fraction>\\d+))?';
const SHORT_CLOCK = '(?<hour>\\d{2}):(?<minute>\\d{2})';
const NUMERIC_ZONE = '(?<offset>[+-]\\d{4})';
const NAMED_ZONE = '(?<zone>[A-Za-z]{1,5})';

/** Offsets in minutes east of UTC for the zone names of RFC 822 section 5 (and UTC, Z). */
const ZONE_NAMES: Readonly<Record<string, number>> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};

// RFC 3339, with or without a fraction
const RFC_3339 =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})[Tt](?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d+))?(?<offset>[Zz]|[+-]\d{2}:\d{2})$/;

const LAYOUTS: readonly RegExp[] = [
  RFC_3339,
  // RFC 1123Z and RFC 1123: Mon, 02 Jan 2006 15:04:05 -0700 / MST
  new RegExp(`^${SHORT_DAY}, (?<day>\\d{2}) ${MONTH_NAME} (?<year>\\d{4}) ${CLOCK} (?:${NUMERIC_ZONE}|${NAMED_ZONE})$`),
  // RFC 850: Monday, 02-Jan-06 15:04:05 MST
  new RegExp(`^${LONG_DAY}, (?<day>\\d{2})-${MONTH_NAME}-(?<shortYear>\\d{2}) ${CLOCK} ${NAMED_ZONE}$`),
  // RFC 822 and RFC 822Z: 02 Jan 06 15:04 MST / -0700
  new RegExp(`^(?<day>\\d{2}) ${MONTH_NAME} (?<shortYear>\\d{2}) ${SHORT_CLOCK} (?:${NUMERIC_ZONE}|${NAMED_ZONE})$`),
  // ANSIC: Mon Jan  2 15:04:05 2006
  new RegExp(`^${SHORT_DAY} ${MONTH_NAME}  ?(?<day>\\d{1,2}) ${CLOCK} (?<year>\\d{4})$`),
  new RegExp(`^(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2}) ${CLOCK}$`),
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})$/,
  /^(?<year>\d{4})\/(?<month>\d{2})\/(?<day>\d{2})$/,
  /^(?<month>\d{2})\/(?<day>\d{2})\/(?<year>\d{4})$/,
  // LDAP GeneralizedTime: 20060102150405Z, with an optional fraction and offset
  /^(?<year>\d{4})(?<month>\d{2})(?<day>\d{2})(?<hour>\d{2})(?<minute>\d{2})(?<second>\d{2})(?:[.,](?<fraction>\d+))?(?<offset>Z|[+-]\d{4}|[+-]\d{2})?$/,
];

/** Returns the instant, or undefined when the value is not a DateTime in any accepted layout. */
export function parseDateTime(raw: unknown): Date | undefined {
  if (typeof raw === 'number') return fromUnixSeconds(raw);
  if (typeof raw !== 'string') return undefined;
  for (const layout of LAYOUTS) {
    const groups = layout.exec(raw)?.groups;
    if (groups !== undefined) return fromParts(groups);
  }
  return /^\d+$/.test(raw) ? fromUnixSeconds(Number(raw)) : undefined;
}

/**
 * An RFC 3339 time that names a real calendar day and clock time, or undefined (Date.parse would move
 * 2030-02-30 to March 2).
 */
export function parseRfc3339(text: string): Date | undefined {
  const groups = RFC_3339.exec(text)?.groups;
  return groups === undefined ? undefined : fromParts(groups);
}

function fromUnixSeconds(seconds: number): Date | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  return validDate(new Date(Math.round(seconds * 1000)));
}

function fromParts(groups: Record<string, string | undefined>): Date | undefined {
  const year = groups.shortYear !== undefined ? fullYear(Number(groups.shortYear)) : Number(groups.year);
  const month = groups.monthName !== undefined ? MONTHS.indexOf(groups.monthName) + 1 : Number(groups.month);
  const day = Number(groups.day);
  const hour = Number(groups.hour ?? 0);
  const minute = Number(groups.minute ?? 0);
  const second = Number(groups.second ?? 0);
  const offset = zoneOffset(groups.offset, groups.zone);
  if (offset === undefined || !inRange(year, month, day, hour, minute, second)) return undefined;
  const millisecond = Number((groups.fraction ?? '').slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return validDate(new Date(date.getTime() - offset * 60_000));
}

/** Go's rule for two-digit years: 69–99 are 1969–1999, 00–68 are 2000–2068. */
function fullYear(shortYear: number): number {
  return shortYear >= 69 ? 1900 + shortYear : 2000 + shortYear;
}

function inRange(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && !leap ? 28 : daysInMonth);
}

/** Minutes east of UTC; 0 when the layout has no zone; undefined for an unknown zone or a bad offset. */
function zoneOffset(offset: string | undefined, zone: string | undefined): number | undefined {
  if (zone !== undefined) {
    const name = zone.toUpperCase();
    return Object.hasOwn(ZONE_NAMES, name) ? ZONE_NAMES[name] : undefined;
  }
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '').padEnd(4, '0');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Years 0000–9999 only: beyond them `toISOString` gives `+010000-…` or `-000001-…`, which is not RFC 3339 and
 * does not order with the stored times, so filters would answer wrongly.
 */
function validDate(date: Date): Date | undefined {
  if (Number.isNaN(date.getTime())) return undefined;
  const year = date.getUTCFullYear();
  return year >= 0 && year <= 9999 ? date : undefined;
}
