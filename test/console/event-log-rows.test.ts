import { describe, expect, it } from 'vitest';
import { appendOlder, reachesShown, refreshShown, type SequencedEvent } from '../../web/src/pages/event-log-rows.js';

/** Rows with sequences from `newest` down to `oldest`, as the log lists them. */
function rows(newest: number, oldest: number, status = 'applied'): (SequencedEvent & { status: string })[] {
  const list = [];
  for (let sequence = newest; sequence >= oldest; sequence--) list.push({ id: `e${sequence}`, sequence, status });
  return list;
}

const sequences = (list: readonly SequencedEvent[]) => list.map((row) => row.sequence);

describe('the live event log after "Older events"', () => {
  it('puts new events on top and keeps every row shown, the older pages continuing where they left off', () => {
    // 100 rows shown (two pages), then 5 new events: the refresh reads the newest 50 again.
    const shown = { rows: rows(200, 101), olderCursor: 'after-101' };
    const refreshed = refreshShown(shown, { items: rows(205, 156), nextCursor: 'after-156' });
    expect(sequences(refreshed.rows)).toEqual(sequences(rows(205, 101)));
    expect(refreshed.olderCursor).toBe('after-101');
    expect(sequences(appendOlder(refreshed, { items: rows(100, 51), nextCursor: 'after-51' }).rows)).toEqual(sequences(rows(205, 51)));
  });

  it('shows a changed status of a row read again, and drops a row read again that no longer matches the filters', () => {
    const shown = { rows: [...rows(110, 108, 'accepted'), ...rows(107, 101)], olderCursor: 'after-101' };
    const refreshed = refreshShown(shown, { items: [...rows(110, 110, 'applied'), ...rows(108, 108, 'accepted')], nextCursor: 'after-108' });
    expect(refreshed.rows.map((row) => `${row.sequence} ${row.status}`)).toEqual(['110 applied', '108 accepted', ...rows(107, 101).map((row) => `${row.sequence} applied`)]);
  });

  it('asks for more pages while the rows read from the top do not reach the rows shown', () => {
    const shown = { rows: rows(100, 51), olderCursor: 'after-51' };
    expect(reachesShown(shown, { items: rows(180, 131), nextCursor: 'after-131' })).toBe(false);
    expect(reachesShown(shown, { items: rows(180, 81), nextCursor: 'after-81' })).toBe(true);
    expect(reachesShown(shown, { items: rows(180, 131) })).toBe(true);
  });

  it('starts over from the rows read when they never reached the rows shown, rather than leave a gap', () => {
    const refreshed = refreshShown({ rows: rows(100, 51), olderCursor: 'after-51' }, { items: rows(900, 851), nextCursor: 'after-851' });
    expect(sequences(refreshed.rows)).toEqual(sequences(rows(900, 851)));
    expect(refreshed.olderCursor).toBe('after-851');
  });

  it('takes the rows read as the whole log when they reach its end', () => {
    const refreshed = refreshShown({ rows: rows(10, 1) }, { items: rows(12, 1) });
    expect(sequences(refreshed.rows)).toEqual(sequences(rows(12, 1)));
    expect(refreshed.olderCursor).toBeUndefined();
  });
});
