/** RFC 8935 error codes for a SET the receiver will not accept. */
export type SetErrorCode =
  | 'invalid_request'
  | 'invalid_key'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'authentication_failed'
  | 'access_denied'
  /** Not an RFC 8935 code: the receiver cannot check the SET right now (keys unreachable); retry. */
  | 'temporarily_unavailable';

/** A refused push, answered as RFC 8935 says: `{"err", "description"}`. */
export class SetError extends Error {
  constructor(
    readonly status: number,
    readonly err: SetErrorCode,
    readonly description: string,
    /** For 429 and 503: when the sender should try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.name = 'SetError';
  }
}

export const invalidRequest = (description: string) => new SetError(400, 'invalid_request', description);
