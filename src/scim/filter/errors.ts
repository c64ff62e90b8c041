/**
 * A filter the service cannot apply; answered with `400` and `scimType: "invalidFilter"`
 * (RFC 7644 §3.12). Thrown as such for semantic errors, e.g. `gt` on a boolean.
 */
export class InvalidFilterError extends Error {
  readonly scimType = 'invalidFilter';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidFilterError';
  }
}

/** A filter that does not follow the grammar; `position` is the 0-based offset of the offending character. */
export class FilterSyntaxError extends InvalidFilterError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}
