import type { FastifyInstance } from 'fastify';
import { exceedsDepth, unstorableContent } from '../../http/json-depth.js';
import { badRequest } from '../scim-error.js';

/** Advertised as the Bulk maxPayloadSize; every SCIM body is held to it. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** SCIM bodies are JSON, sent as application/scim+json (RFC 7644 §3.1) or, by Okta, application/json. */
export function addScimBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string', bodyLimit: MAX_PAYLOAD_BYTES }, (_request, body, done) => {
    try {
      done(null, parseScimJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

function parseScimJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest('invalidSyntax', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (exceedsDepth(value)) throw badRequest('invalidSyntax', 'the JSON body is nested too deeply');
  const unstorable = unstorableContent(text, value);
  if (unstorable) throw badRequest('invalidValue', `the body contains ${unstorable}`);
  return value;
}
