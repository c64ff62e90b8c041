import type { TemplateProblem } from './model.js';
import { member } from './places.js';

export type ProblemList = TemplateProblem[];

export type JsonMap = Record<string, unknown>;

export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Catalog templates carry `{{Input Required: …}}` values that are filled in when a template is used. */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && /\{\{[^}]*\}\}/.test(value);
}

/** Describes a value found in a template or a document, for messages: `the number 12`, `a list`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    case 'object':
      return 'a map';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * Reads typed fields of one map in a template, adding a problem for each field of the wrong type.
 * Absent fields (and null) read as undefined. Unknown fields are ignored.
 */
export class FieldReader {
  constructor(
    readonly fields: JsonMap,
    readonly place: string,
    private readonly problems: ProblemList,
  ) {}

  at(key: string): string {
    return member(this.place, key);
  }

  problem(key: string, message: string): void {
    this.problems.push({ place: this.at(key), message });
  }

  has(key: string): boolean {
    return this.fields[key] !== undefined && this.fields[key] !== null;
  }

  string(key: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null) {
      if (options.required) this.problem(key, `${key} is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.problem(key, `${key} must be a string, found ${describe(value)}`);
      return undefined;
    }
    if (options.required && value.trim() === '') {
      this.problem(key, `${key} must not be empty`);
      return undefined;
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null || isPlaceholder(value)) return undefined;
    if (typeof value !== 'boolean') {
      this.problem(key, `${key} must be true or false, found ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  integer(key: string, minimum: number): number | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null || isPlaceholder(value)) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.problem(key, `${key} must be an integer, found ${describe(value)}`);
      return undefined;
    }
    if (value < minimum) {
      this.problem(key, `${key} must be at least ${minimum}, found ${value}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null || isPlaceholder(value)) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(key, `${key} must be one of ${allowed.join(', ')}, found ${describe(value)}`);
      return undefined;
    }
    return value as T;
  }

  list(key: string, options: { required?: boolean; nonEmpty?: boolean } = {}): unknown[] | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null) {
      if (options.required) this.problem(key, `${key} is required`);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.problem(key, `${key} must be a list, found ${describe(value)}`);
      return undefined;
    }
    if (options.nonEmpty && value.length === 0) {
      this.problem(key, `${key} must not be empty`);
      return undefined;
    }
    return value;
  }

  map(key: string, options: { required?: boolean; nonEmpty?: boolean } = {}): JsonMap | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null) {
      if (options.required) this.problem(key, `${key} is required`);
      return undefined;
    }
    if (!isMap(value)) {
      this.problem(key, `${key} must be a map, found ${describe(value)}`);
      return undefined;
    }
    if (options.nonEmpty && Object.keys(value).length === 0) {
      this.problem(key, `${key} must not be empty`);
      return undefined;
    }
    return value;
  }
}
