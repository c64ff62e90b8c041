/** A value's place in a pushed document, as JSONPath member names and array indexes. */
export type Location = readonly (string | number)[];

/** RFC 9535 normalized path, e.g. `$['emails'][0]['value']`. */
export function normalizedPath(location: Location): string {
  return '$' + location.map((step) => (typeof step === 'number' ? `[${step}]` : `[${quoteName(step)}]`)).join('');
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function quoteName(name: string): string {
  const escaped = [...name].map((c) => ESCAPES[c] ?? (c < ' ' ? unicodeEscape(c) : c));
  return `'${escaped.join('')}'`;
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
