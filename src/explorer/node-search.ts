import { decodeCursor, encodeCursor } from '../graph/paging.js';
import type { EntityNode, GraphStore } from '../graph/store.js';
import { InvalidFilterError, defaultCaseRules, matchesFilter, parseFilter, type CompareFilter, type FilterNode } from '../scim/filter/index.js';
import { convertDateTime } from '../mapping/convert.js';
import type { EntityDef, ScalarValue } from '../template/model.js';

/** Most candidates read from the attribute index for one search; more means the filter is too broad for it. */
export const MAX_INDEXED_CANDIDATES = 5000;
/** Most nodes one search request evaluates by scanning; the answer's cursor continues the scan. */
export const MAX_SCANNED = 5000;

export interface NodeSearch {
  sorId: string;
  entity: EntityDef;
  /** The entity's indexed attributes whose rows are still being built for older nodes: searched by scanning. */
  indexBuilds?: readonly string[];
  filter: string;
  limit: number;
  cursor?: string;
}

export interface NodeSearchResult {
  nodes: EntityNode[];
  /** The next page: of the index candidates, or of the scan (filters with no indexed equality to start from). */
  nextCursor?: string;
  /** How the candidates were found: `index` (attribute index lookups) or `scan` (the entity's nodes in id order). */
  plan: 'index' | 'scan';
  /** The index returned more candidates than one search evaluates; narrow the filter. */
  truncated?: boolean;
}

/**
 * Node search with the SCIM filter syntax (the one parser of src/scim/filter). Equality on indexed attributes
 * is pushed down to the attribute index: a filter whose top level is `eq` on an indexed attribute (or an `and`
 * containing one, or an `or` of such) reads only the matching nodes. Every other filter scans the entity's
 * nodes in id order, a bounded number per request. Either way the whole filter is then evaluated in memory
 * with the SCIM matching rules. Throws InvalidFilterError (with a position for syntax errors).
 */
export async function searchNodes(store: GraphStore, search: NodeSearch): Promise<NodeSearchResult> {
  const filter = parseFilter(search.filter);
  checkDateTimeLiterals(filter, search.entity);
  const lookups = indexLookups(filter, search.entity, search.indexBuilds ?? []);
  const matches = (node: EntityNode) => matchesFilter(resourceOf(node), filter, defaultCaseRules);
  if (lookups) {
    const candidates = await readLookups(store, search.sorId, search.entity.key, lookups);
    const complete = candidates.length < MAX_INDEXED_CANDIDATES;
    // A later page reads the index again while it holds every candidate; otherwise the scan continues.
    if (search.cursor === undefined || complete) return indexPage(candidates, search, matches, complete);
  }
  return scan(store, search, matches);
}

/** A page of the candidates (in id order) after the cursor; the next page's cursor is its last node. */
function indexPage(candidates: EntityNode[], search: NodeSearch, matches: (node: EntityNode) => boolean, complete: boolean): NodeSearchResult {
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor);
  const nodes = candidates.filter((node) => (after === undefined || node.id > after) && matches(node));
  const page = nodes.slice(0, search.limit);
  const result: NodeSearchResult = { nodes: page, plan: 'index' };
  if (nodes.length > search.limit || (!complete && page.length > 0)) result.nextCursor = encodeCursor(page[page.length - 1]!.id);
  if (!complete) result.truncated = true;
  return result;
}

/**
 * A DateTime attribute is compared by instant, so its literal must be one: compared as text instead, `"abc"` or a
 * year beyond 9999 would order against every stored time, and the answer would be wrong without a word.
 */
function checkDateTimeLiterals(filter: FilterNode, entity: EntityDef): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkDateTimeLiterals(filter.left, entity);
      checkDateTimeLiterals(filter.right, entity);
      return;
    case 'not':
      checkDateTimeLiterals(filter.filter, entity);
      return;
    case 'compare': {
      if (typeof filter.value !== 'string' || filter.path.schema !== undefined || filter.path.subAttribute !== undefined) return;
      const name = filter.path.normalized.attribute;
      const attribute = entity.attributes.find((defined) => defined.name.toLowerCase() === name);
      if (attribute?.type === 'DateTime' && !convertDateTime(filter.value).ok) {
        throw new InvalidFilterError(`${attribute.name} is a DateTime; ${JSON.stringify(filter.value)} is not a time it can be compared with (RFC 3339, years 0000-9999)`);
      }
      return;
    }
    default:
      return;
  }
}

/** The node as a SCIM-like resource: its attributes, with `id` as the node id when the template has none. */
function resourceOf(node: EntityNode): Record<string, unknown> {
  return { id: node.id, ...node.attributes };
}

interface IndexLookup {
  attribute: string;
  value: ScalarValue;
  caseExact: boolean;
}

/** The index lookups whose union contains every match, or undefined when the filter needs a scan. */
function indexLookups(filter: FilterNode, entity: EntityDef, building: readonly string[]): IndexLookup[] | undefined {
  switch (filter.kind) {
    case 'compare':
      return equalityLookup(filter, entity, building);
    case 'and':
      return indexLookups(filter.left, entity, building) ?? indexLookups(filter.right, entity, building);
    case 'or': {
      const left = indexLookups(filter.left, entity, building);
      const right = left && indexLookups(filter.right, entity, building);
      return left && right ? [...left, ...right] : undefined;
    }
    default:
      return undefined;
  }
}

function equalityLookup(filter: CompareFilter, entity: EntityDef, building: readonly string[]): IndexLookup[] | undefined {
  if (filter.op !== 'eq' || filter.value === null || filter.path.schema !== undefined || filter.path.subAttribute !== undefined) {
    return undefined;
  }
  const name = filter.path.normalized.attribute;
  const attribute = entity.indexedAttributes.find((indexed) => indexed.toLowerCase() === name);
  if (!attribute || building.includes(attribute)) return undefined;
  const type = entity.attributes.find((defined) => defined.name === attribute)?.type;
  // DateTimes are indexed as their instant in RFC 3339 UTC, so the literal is looked up the same way; one that
  // is no DateTime equals no node.
  if (type === 'DateTime') {
    const instant = convertDateTime(filter.value);
    return instant.ok ? [{ attribute, value: instant.value, caseExact: true }] : [];
  }
  return [{ attribute, value: filter.value, caseExact: defaultCaseRules(filter.path) }];
}

async function readLookups(store: GraphStore, sorId: string, entity: string, lookups: IndexLookup[]): Promise<EntityNode[]> {
  const found = await Promise.all(
    lookups.map(({ attribute, value, caseExact }) =>
      store.findNodes(sorId, entity, attribute, value, { caseInsensitive: !caseExact, limit: MAX_INDEXED_CANDIDATES }),
    ),
  );
  const byId = new Map<string, EntityNode>();
  for (const node of found.flat()) byId.set(node.id, node);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function scan(store: GraphStore, search: NodeSearch, matches: (node: EntityNode) => boolean): Promise<NodeSearchResult> {
  const nodes: EntityNode[] = [];
  let cursor = search.cursor;
  let scanned = 0;
  while (scanned < MAX_SCANNED) {
    const page = await store.listNodes(search.sorId, search.entity.key, { limit: Math.min(500, MAX_SCANNED - scanned), cursor });
    scanned += page.nodes.length;
    for (const [i, node] of page.nodes.entries()) {
      if (!matches(node)) continue;
      nodes.push(node);
      if (nodes.length === search.limit) {
        const more = i < page.nodes.length - 1 || page.nextCursor !== undefined;
        return { nodes, plan: 'scan', ...(more ? { nextCursor: encodeCursor(node.id) } : {}) };
      }
    }
    cursor = page.nextCursor;
    if (cursor === undefined) return { nodes, plan: 'scan' };
  }
  return { nodes, plan: 'scan', nextCursor: cursor };
}
