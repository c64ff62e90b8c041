import { JSONPathEnvironment, TokenKind, jsonpath as jsonPathClasses } from 'json-p3';
import type { CompiledPath } from './model.js';

/** Strict RFC 9535: json-p3's non-standard extensions are refused, so templates stay portable. */
export const jsonPath = new JSONPathEnvironment({ strict: true });

/**
 * RFC 9535 requires the leading `$`, but templates write plain member names (`userName`, `members`).
 * Such a name is one member even when it contains dots, so it is quoted rather than parsed.
 */
export function normalizePath(source: string): string {
  if (source.startsWith('$')) return source;
  return `$[${singleQuoted(source)}]`;
}

function singleQuoted(name: string): string {
  const escaped = JSON.stringify(name).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${escaped}'`;
}

export type PathCompilation = { ok: true; path: CompiledPath } | { ok: false; reason: string };

export function compilePath(source: string): PathCompilation {
  const normalized = normalizePath(source);
  try {
    return { ok: true, path: { source, normalized, query: jsonPath.compile(normalized) } };
  } catch (error) {
    if (error instanceof Error) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * Whether a path selects the elements of the document's member `name` as the bare name does: `$['name']`
 * (`$.name`), or with a wildcard over it, `$.name[*]` or `$.name.*`. A child entity's matched list contributes
 * its elements (mapping/map-entity.ts), so all of these give it the same objects.
 */
export function selectsElementsOf(path: CompiledPath, name: string): boolean {
  const [member, wildcard, ...rest] = path.query.segments;
  const onlySelector = (segment: typeof member) =>
    segment !== undefined && segment.token.kind !== TokenKind.DDOT && segment.selectors.length === 1 ? segment.selectors[0] : undefined;
  const selector = onlySelector(member);
  if (!(selector instanceof jsonPathClasses.selectors.NameSelector) || selector.name !== name || rest.length > 0) return false;
  return wildcard === undefined || onlySelector(wildcard) instanceof jsonPathClasses.selectors.WildcardSelector;
}

/** The name a path's first segment selects, when that segment is a single child name (`$.members…`, `members`). */
export function firstMemberName(path: CompiledPath): string | undefined {
  const [first] = path.query.segments;
  if (first === undefined || first.token.kind === TokenKind.DDOT || first.selectors.length !== 1) return undefined;
  const selector = first.selectors[0];
  return selector instanceof jsonPathClasses.selectors.NameSelector ? selector.name : undefined;
}

/** Whether a path is the document's member `name` and nothing more (`name`, `$.name`, `$['name']`). */
export function isMemberPath(path: CompiledPath, name: string): boolean {
  return path.query.segments.length === 1 && firstMemberName(path) === name;
}

/** The names a path selects one member after another when it does nothing else (`$.sub_id.id`: sub_id, id). */
export function memberNames(path: CompiledPath): string[] | undefined {
  const names: string[] = [];
  for (const segment of path.query.segments) {
    const selector = segment.selectors.length === 1 ? segment.selectors[0] : undefined;
    if (segment.token.kind === TokenKind.DDOT || !(selector instanceof jsonPathClasses.selectors.NameSelector)) return undefined;
    names.push(selector.name);
  }
  return names;
}
