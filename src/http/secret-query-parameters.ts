import { REDACTED } from '../admin/secrets.js';

/** Parameter names (lower case, without `-` and `_`) whose values are credentials. */
const SECRET_NAMES = new Set([
  'accesstoken', 'token', 'apikey', 'key', 'secret', 'password', 'passwd', 'pwd', 'clientsecret', 'code', 'assertion',
  'clientassertion', 'signature', 'sig', 'auth', 'authorization', 'bearer', 'credential', 'credentials', 'jwt',
]);
/** pushgraph's own push and admin tokens, recognised by their prefix wherever they are in the URL. */
const PUSHGRAPH_TOKEN = /pg[at]_[A-Za-z0-9_-]+/g;
/** Names that end like these are credentials too: `id_token`, `x-api-key`, `db_password`. */
const SECRET_ENDINGS = ['token', 'secret', 'password', 'apikey'];

/**
 * The request URL as the event log and the service log keep it: the values of query parameters that look like
 * credentials replaced by REDACTED. A client may send its push token as `?access_token=` (RFC 6750 §2.3), and it
 * is refused, but the URL would still be stored and logged. Everything else stays as sent, encoding included.
 */
export function redactSecretQueryParameters(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url.replace(PUSHGRAPH_TOKEN, REDACTED);
  // `;` separates parameters too in some clients' URLs; the separators are kept as sent.
  const parameters = url
    .slice(start + 1)
    .split(/([&;])/)
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      if (equals === -1 || !isSecretName(parameter.slice(0, equals))) return parameter;
      return `${parameter.slice(0, equals)}=${REDACTED}`;
    });
  return `${url.slice(0, start + 1)}${parameters.join('')}`.replace(PUSHGRAPH_TOKEN, REDACTED);
}

function isSecretName(encoded: string): boolean {
  const name = decodedName(encoded).toLowerCase().replace(/[-_]/g, '');
  return SECRET_NAMES.has(name) || SECRET_ENDINGS.some((ending) => name.endsWith(ending));
}

function decodedName(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return encoded;
  }
}
