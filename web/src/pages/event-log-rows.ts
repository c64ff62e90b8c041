/** What the event log needs of a row to place it: the log's order is its sequence, newest first. */
export interface SequencedEvent {
  id: string;
  sequence: number;
}

/** Rows shown, newest first, and the cursor that continues after the oldest of them. */
export interface ShownEvents<T extends SequencedEvent> {
  rows: T[];
  olderCursor?: string;
}

/** The newest rows read again from the top of the log, as one page: its `nextCursor` continues after its last row. */
export interface NewestEvents<T extends SequencedEvent> {
  items: T[];
  nextCursor?: string;
}

/**
 * Whether the rows read from the top reach down to the rows shown, so that nothing lies between them: else
 * more pages must be read before merging, or events would be skipped unseen.
 */
export function reachesShown<T extends SequencedEvent>(shown: ShownEvents<T>, newest: NewestEvents<T>): boolean {
  if (newest.nextCursor === undefined || shown.rows.length === 0 || newest.items.length === 0) return true;
  return oldestSequence(newest.items) <= newestSequence(shown.rows);
}

/**
 * The rows after a refresh. The rows read again replace every shown row as new as their oldest (so a status that
 * changed shows, and a row that no longer matches the filters goes); the shown rows older than that stay below
 * them with their cursor, so paging further still continues where it left off and no row disappears.
 */
export function refreshShown<T extends SequencedEvent>(shown: ShownEvents<T>, newest: NewestEvents<T>): ShownEvents<T> {
  if (!reachesShown(shown, newest)) return { rows: newest.items, olderCursor: newest.nextCursor };
  // Read to the end of the log: no shown row can be older than what was read, except rows deleted since.
  if (newest.nextCursor === undefined) return { rows: newest.items };
  const boundary = oldestSequence(newest.items);
  const older = shown.rows.filter((row) => row.sequence < boundary);
  return older.length > 0 ? { rows: [...newest.items, ...older], olderCursor: shown.olderCursor } : { rows: newest.items, olderCursor: newest.nextCursor };
}

/** The rows after "Older events": the page read with the shown rows' cursor, below them. */
export function appendOlder<T extends SequencedEvent>(shown: ShownEvents<T>, page: NewestEvents<T>): ShownEvents<T> {
  const known = new Set(shown.rows.map((row) => row.id));
  return { rows: [...shown.rows, ...page.items.filter((row) => !known.has(row.id))], olderCursor: page.nextCursor };
}

function oldestSequence(rows: readonly SequencedEvent[]): number {
  return Math.min(...rows.map((row) => row.sequence));
}

function newestSequence(rows: readonly SequencedEvent[]): number {
  return Math.max(...rows.map((row) => row.sequence));
}
