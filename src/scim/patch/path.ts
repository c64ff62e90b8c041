import { invalidFilter, invalidPath } from './patch-error.js';
import type { ValueFilterEngine } from './value-filter.js';

/** A parsed RFC 7644 §3.5.2 `path`: `[schema:]attribute[.sub]` or `[schema:]attribute[filter][.sub]`. */
export interface AttributePath {
  text: string;
  /** The extension schema the attribute belongs to; undefined for core attributes. */
  schema?: string;
  /** Undefined when the path names an extension schema's whole object. */
  attribute?: string;
  filter?: { text: string; parsed: unknown };
  subAttribute?: string;
}

export interface PathSchemas {
  /** The resource's core schema URN; a path prefixed with it names a core attribute. */
  core: string;
  /** Every core schema URN, to refuse `urn:…:core:2.0:Group:…` on a User. */
  cores: readonly string[];
  /** Extension URNs (from the hints and the resource), in their proper casing. */
  extensions: readonly string[];
}

const ATTRIBUTE_NAME = /^(?:[A-Za-z][\w-]*|\$ref)$/;

/** The index of the `]` closing the filter that opens at `open`, skipping brackets in quoted strings. */
function closingBracket(text: string, open: number): number {
  let quoted = false;
  for (let at = open + 1; at < text.length; at += 1) {
    const char = text[at];
    if (quoted && char === '\\') at += 1;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === ']') return at;
  }
  return -1;
}

function sameUrn(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

interface SchemaSplit {
  schema?: string;
  rest?: string;
}

/** Separates a URN prefix from the attribute; the attribute follows the URN's last colon. */
function splitSchema(prefix: string, schemas: PathSchemas, where: string): SchemaSplit {
  if (!/^urn:/i.test(prefix)) return { rest: prefix };
  const extension = schemas.extensions.find((urn) => sameUrn(urn, prefix));
  if (extension !== undefined) return { schema: extension };
  const colon = prefix.lastIndexOf(':');
  const urn = prefix.slice(0, colon);
  const rest = prefix.slice(colon + 1);
  if (sameUrn(urn, schemas.core)) return { rest };
  if (schemas.cores.some((core) => sameUrn(core, urn)) || sameUrn(prefix, schemas.core)) {
    throw invalidPath(where, `${JSON.stringify(prefix)} does not name an attribute of this resource's schema ${schemas.core}`);
  }
  return { schema: schemas.extensions.find((known) => sameUrn(known, urn)) ?? urn, rest };
}

function attributeName(name: string, text: string, where: string): string {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw invalidPath(where, `${JSON.stringify(text)} is not a valid path: ${JSON.stringify(name)} is not an attribute name`);
  }
  return name;
}

export function parsePath(text: string, schemas: PathSchemas, filters: ValueFilterEngine, where: string): AttributePath {
  const trimmed = text.trim();
  if (trimmed === '') throw invalidPath(where, 'the path is empty');
  const open = trimmed.indexOf('[');
  const prefix = open === -1 ? trimmed : trimmed.slice(0, open);
  const { schema, rest } = splitSchema(prefix, schemas, where);
  if (rest === undefined) {
    if (open !== -1) throw invalidPath(where, `${JSON.stringify(text)} filters a whole schema extension`);
    return { text, schema };
  }
  const names = rest.split('.');
  if (names.length > 2 || (open !== -1 && names.length > 1)) {
    const forms = 'attribute, attribute.subAttribute or attribute[filter].subAttribute';
    throw invalidPath(where, `${JSON.stringify(text)} is not a valid path: use ${forms}`);
  }
  const path: AttributePath = { text, schema, attribute: attributeName(names[0]!, text, where) };
  if (names[1] !== undefined) path.subAttribute = attributeName(names[1], text, where);
  if (open === -1) return path;
  const close = closingBracket(trimmed, open);
  if (close === -1) throw invalidPath(where, `${JSON.stringify(text)} is not a valid path: "[" is never closed`);
  const filterText = trimmed.slice(open + 1, close);
  try {
    path.filter = { text: filterText, parsed: filters.parse(filterText) };
  } catch (error) {
    throw invalidFilter(where, `${JSON.stringify(filterText)} in ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
  const after = trimmed.slice(close + 1);
  if (after === '') return path;
  if (!after.startsWith('.')) {
    throw invalidPath(where, `${JSON.stringify(text)} is not a valid path: only ".subAttribute" may follow "]"`);
  }
  path.subAttribute = attributeName(after.slice(1), text, where);
  return path;
}
