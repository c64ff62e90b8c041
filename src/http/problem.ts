import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidCursorError } from '../graph/paging.js';

/** An RFC 9457 problem; `errors` lists each problem with its place when there are several. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { place: string; message: string }[];
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem, readonly headers: Record<string, string> = {}) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}

export const badRequest = (detail: string, extra: Partial<Problem> = {}) =>
  new ProblemError({ title: 'Bad Request', status: 400, detail, ...extra });
export const notFound = (detail: string) => new ProblemError({ title: 'Not Found', status: 404, detail });
export const conflict = (detail: string) => new ProblemError({ title: 'Conflict', status: 409, detail });
export const unauthorized = (detail: string) =>
  new ProblemError({ title: 'Unauthorized', status: 401, detail }, { 'www-authenticate': 'Bearer realm="pushgraph-admin"' });

export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .code(problem.status)
    .headers(headers)
    .type('application/problem+json')
    .send({ type: problem.type ?? 'about:blank', ...problem });
}

/** Ajv's wording, except where it leaves out what the caller needs: the unknown field, the allowed values. */
function validationMessage(v: NonNullable<FastifyError['validation']>[number]): string {
  if (v.keyword === 'additionalProperties') return `unknown field "${String(v.params.additionalProperty)}"`;
  if (v.keyword === 'enum') return `must be one of ${(v.params.allowedValues as unknown[]).map(String).join(', ')}`;
  return v.message ?? 'is not valid';
}

/** Turns anything thrown in an admin route into a problem+json answer, never leaking internals. */
export function problemErrorHandler(error: FastifyError | ProblemError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ProblemError) return sendProblem(reply, error.problem, error.headers);
  if (error instanceof InvalidCursorError) {
    return sendProblem(reply, { title: 'Bad Request', status: 400, detail: '"cursor" is not a cursor this API gave out; start again without it' });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((v) => ({
      place: `${fastifyError.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`,
      message: validationMessage(v),
    }));
    return sendProblem(reply, {
      title: 'Bad Request',
      status: 400,
      detail: `the request is not valid: ${errors.map((e) => `${e.place}: ${e.message}`).join('; ')}`,
      errors,
    });
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendProblem(reply, { title: titleFor(status), status, detail: clientMessage(fastifyError) });
  }
  request.log.error({ err: error }, 'unhandled error in admin API');
  return sendProblem(reply, { title: 'Internal Server Error', status: 500, detail: 'an unexpected error occurred; see the service log' });
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is larger than the limit of this endpoint';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported Content-Type; send application/json${error.message.includes('yaml') ? '' : ' or application/yaml'}`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the request body is empty but Content-Type says JSON';
    default:
      return error.message;
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
};

function titleFor(status: number): string {
  return TITLES[status] ?? 'Client Error';
}
