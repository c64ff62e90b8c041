/** How long a remembered total or page position may be used: the bound on staleness from other instances' writes. */
export const LISTING_MEMO_TTL_MS = 5_000;
const MAX_ENTRIES = 2_000;

interface Entry {
  generation: number;
  at: number;
  value: number | string;
}

/**
 * What recent SCIM listings of a SoR learnt: how many resources a query matches, and which id the page at a
 * given startIndex starts after. An IdP's full import pages through every user by startIndex; counting the
 * SoR for `totalResults` and skipping `startIndex - 1` entries on every page makes each page slower than the
 * last, while with these each page is a seek and a read of its own rows.
 *
 * Every SCIM write in this process moves its SoR to a new generation, which retires all it knew of that SoR,
 * so a listing here answers as if nothing were remembered. Writes by other instances on the same PostgreSQL
 * database are not seen: their effect on a total or a startIndex position shows after LISTING_MEMO_TTL_MS
 * (RFC 7644 §3.4.2.4: paging is not session based and results are not guaranteed repeatable).
 */
export class ScimListingMemo {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The SoR's generation, read before a query so that what the query learns is filed under the state it saw. */
  generation(sorId: string): number {
    return this.generations.get(sorId) ?? 0;
  }

  /** A write to the SoR's resources, members or the SoR itself. */
  changed(sorId: string): void {
    this.generations.set(sorId, this.generation(sorId) + 1);
  }

  total(sorId: string, query: string): number | undefined {
    return this.read(sorId, `total ${query}`) as number | undefined;
  }

  rememberTotal(sorId: string, query: string, generation: number, total: number): void {
    this.write(sorId, `total ${query}`, generation, total);
  }

  /** The id that the entry at 0-based `offset` of the query's id order comes after. */
  position(sorId: string, query: string, offset: number): string | undefined {
    return this.read(sorId, `position ${offset} ${query}`) as string | undefined;
  }

  rememberPosition(sorId: string, query: string, generation: number, offset: number, afterId: string): void {
    this.write(sorId, `position ${offset} ${query}`, generation, afterId);
  }

  private read(sorId: string, key: string): number | string | undefined {
    const entry = this.entries.get(`${sorId}\n${key}`);
    if (entry === undefined) return undefined;
    if (entry.generation !== this.generation(sorId) || this.now() - entry.at > LISTING_MEMO_TTL_MS) {
      this.entries.delete(`${sorId}\n${key}`);
      return undefined;
    }
    return entry.value;
  }

  private write(sorId: string, key: string, generation: number, value: number | string): void {
    if (generation !== this.generation(sorId)) return;
    const full = `${sorId}\n${key}`;
    this.entries.delete(full);
    this.entries.set(full, { generation, at: this.now(), value });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** What identifies a pushed-down query for the memo: its condition, parameters and direction. */
export function memoKey(where: string, params: readonly unknown[], descending: boolean | undefined): string {
  return JSON.stringify([where, params, descending === true]);
}
