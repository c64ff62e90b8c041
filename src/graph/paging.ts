export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

/** A cursor is the last id of the page, base64url-encoded so callers treat it as opaque. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const lastId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]*$/.test(cursor) || encodeCursor(lastId) !== cursor) throw new InvalidCursorError();
  return lastId;
}

/** A cursor over several lists read one after another: which list, and the last id read in it. */
export function encodeListCursor(list: string, lastId: string): string {
  return encodeCursor(`${list}\u0000${lastId}`);
}

export function decodeListCursor(cursor: string): { list: string; lastId: string } {
  const decoded = decodeCursor(cursor);
  const at = decoded.indexOf('\u0000');
  if (at <= 0 || at === decoded.length - 1) throw new InvalidCursorError();
  return { list: decoded.slice(0, at), lastId: decoded.slice(at + 1) };
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/** Splits the rows fetched with one extra row into a page and the cursor of the next one. */
export function toPage<T extends { id: string }>(rows: T[], size: number): { items: T[]; nextCursor?: string } {
  if (rows.length <= size) return { items: rows };
  const items = rows.slice(0, size);
  return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) };
}
