/** RFC 7644 §3.12 `scimType` values. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A refused SCIM request, answered in the RFC 7644 §3.12 error schema with `status` as a string. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  body(): Record<string, unknown> {
    return { schemas: [ERROR_SCHEMA], status: String(this.status), ...(this.scimType ? { scimType: this.scimType } : {}), detail: this.detail };
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);
export const notFound = (detail: string) => new ScimError(404, detail);
export const conflict = (detail: string) => new ScimError(409, detail, 'uniqueness');
export const preconditionFailed = (detail: string) => new ScimError(412, detail);
/** A temporary refusal the client should retry after `retryAfterSeconds` (sent as Retry-After). */
export const serviceUnavailable = (detail: string, retryAfterSeconds: number) => new ScimError(503, detail, undefined, retryAfterSeconds);

/** 405 for a method an endpoint does not answer; `allowed` goes to the Allow header (RFC 9110 §15.5.6). */
export class MethodNotAllowed extends ScimError {
  constructor(
    method: string,
    endpoint: string,
    readonly allowed: readonly string[],
  ) {
    super(405, `${method} is not allowed on ${endpoint}; use ${allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed[0]}`);
  }
}
