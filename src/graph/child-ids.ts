/*
 * A child node's id is `<parent id>:<its uniqueId value or position>`, since child unique ids (a group member's
 * user id) repeat across parents. A top-level parent's id and the child's key are escaped, so that the id is
 * its parts joined by raw `:`s, one per level: unescaped, group `a` with member `b:c` and group `a:b` with
 * member `c` would share the id `a:b:c`. A child parent's id is already made of escaped parts and is taken as
 * it is. Only `%` and `:` are escaped, so an id whose parts contain neither is the same as before escaping.
 */

function escapeIdPart(part: string): string {
  return part.replace(/[%:]/g, (character) => (character === '%' ? '%25' : '%3A'));
}

/** The id of a child keyed by `key` (its uniqueId value or its position) under a top-level or a child parent. */
export function childNodeId(parent: { id: string; isChild: boolean }, key: string | number): string {
  return `${parent.isChild ? parent.id : escapeIdPart(parent.id)}:${escapeIdPart(String(key))}`;
}

/**
 * The id ranges that hold the children of a parent: `[from, to)` over ids starting `<escaped parent id>:`, and
 * for a parent whose id changes when escaped also those starting `<parent id>:`, where the children of a child
 * parent are, and those a top-level parent had before ids were escaped.
 */
export function childIdRanges(parentId: string): [string, string][] {
  const prefixes = [...new Set([escapeIdPart(parentId), parentId])];
  return prefixes.map((prefix) => [`${prefix}:`, `${prefix};`]);
}
