import { FilterSyntaxError } from './errors.js';

/**
 * A bare word: an attribute path, an operator, `and`/`or`/`not`, a number, `true`/`false`/`null`, or
 * `.subAttribute` after a value filter's `]`.
 */
export interface WordToken {
  kind: 'word';
  text: string;
  start: number;
  /** Whether whitespace separates it from the previous token; `].value` must be written without. */
  spaced: boolean;
}

export interface StringToken {
  kind: 'string';
  value: string;
  text: string;
  start: number;
}

export interface PunctuationToken {
  kind: '(' | ')' | '[' | ']';
  start: number;
}

export interface EndToken {
  kind: 'end';
  start: number;
}

export type Token = WordToken | StringToken | PunctuationToken | EndToken;

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const PUNCTUATION = new Set(['(', ')', '[', ']']);
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Splits a filter into tokens on demand, so that a syntax error early in the filter is reported before
 * a malformed string further on.
 */
export class Scanner {
  private offset = 0;
  private readonly lookahead: Token[] = [];

  constructor(readonly source: string) {}

  peek(ahead = 0): Token {
    while (this.lookahead.length <= ahead) this.lookahead.push(this.scan());
    return this.lookahead[ahead]!;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead.shift();
    return token;
  }

  private scan(): Token {
    const before = this.offset;
    while (this.offset < this.source.length && WHITESPACE.has(this.source[this.offset]!)) this.offset++;
    const start = this.offset;
    const char = this.source[start];
    if (char === undefined) return { kind: 'end', start };
    if (PUNCTUATION.has(char)) {
      this.offset++;
      return { kind: char as PunctuationToken['kind'], start };
    }
    if (char === '"') return this.scanString(start);
    return this.scanWord(start, start > before);
  }

  private scanWord(start: number, spaced: boolean): WordToken {
    while (this.offset < this.source.length && !endsWord(this.source[this.offset]!)) this.offset++;
    return { kind: 'word', text: this.source.slice(start, this.offset), start, spaced };
  }

  /** A JSON string (RFC 8259 §7), as `compValue` requires. */
  private scanString(start: number): StringToken {
    let value = '';
    let at = start + 1;
    for (;;) {
      const char = this.source[at];
      if (char === undefined) {
        throw new FilterSyntaxError(`unterminated string starting at position ${start}: expected a closing double quote`, start);
      }
      if (char === '"') break;
      if (char === '\\') {
        const [decoded, length] = this.escapeAt(at);
        value += decoded;
        at += length;
      } else {
        value += char;
        at++;
      }
    }
    this.offset = at + 1;
    return { kind: 'string', value, text: this.source.slice(start, this.offset), start };
  }

  /** Decodes the escape sequence starting with the backslash at `at`; returns it and its length. */
  private escapeAt(at: number): [string, number] {
    const letter = this.source[at + 1];
    if (letter === 'u') {
      const hex = this.source.slice(at + 2, at + 6);
      if (/^[0-9A-Fa-f]{4}$/.test(hex)) return [String.fromCharCode(parseInt(hex, 16)), 6];
    } else if (letter !== undefined && Object.hasOwn(ESCAPES, letter)) {
      return [ESCAPES[letter]!, 2];
    }
    const sequence = this.source.slice(at, letter === 'u' ? at + 6 : at + 2);
    throw new FilterSyntaxError(
      `invalid escape ${sequence} at position ${at} in a string: expected \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u followed by four hex digits`,
      at,
    );
  }
}

function endsWord(char: string): boolean {
  return WHITESPACE.has(char) || PUNCTUATION.has(char) || char === '"';
}

const SHOWN_LENGTH = 40;

/** How a message names what was found instead of what was expected. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the filter';
    case 'word':
      return JSON.stringify(shorten(token.text));
    case 'string':
      return `the string ${shorten(token.text)}`;
    default:
      return `"${token.kind}"`;
  }
}

function shorten(text: string): string {
  return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text;
}
