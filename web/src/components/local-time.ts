/**
 * A `datetime-local` input takes "2030-01-01T00:00" in the browser's time zone, while addresses and the API carry
 * an instant ("2030-01-01T00:00:00.000Z"); these convert between the two.
 */
export function localInputOf(instant: string): string {
  const date = new Date(instant);
  if (!instant || Number.isNaN(date.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  const minutes = `${String(date.getFullYear()).padStart(4, '0')}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
  if (date.getSeconds() === 0 && date.getMilliseconds() === 0) return minutes;
  const seconds = `${minutes}:${two(date.getSeconds())}`;
  return date.getMilliseconds() === 0 ? seconds : `${seconds}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The instant a `datetime-local` value or an address's time names (a date-time without offset is local time), as the
 * API writes instants; '' for none.
 */
export function instantOf(value: string): string {
  const date = new Date(value);
  return !value || Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
