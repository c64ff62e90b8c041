import { badRequest } from './problem.js';

/**
 * The page size a `count` query parameter asks for (its digits already checked by the route's schema): the
 * default when absent, at most `max`; 0 is refused, since an empty page would look like the end of the list.
 */
export function pageLimit(count: string | undefined, { fallback, max }: { fallback: number; max: number }): number {
  if (count === undefined) return fallback;
  const asked = Number(count);
  if (asked < 1) throw badRequest('"count" must be at least 1');
  return Math.min(asked, max);
}
