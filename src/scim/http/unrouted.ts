import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MethodNotAllowed, ScimError, notFound } from '../scim-error.js';

const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'] as const;
/** Refused with 405 and Allow like the others, though no endpoint answers them. */
const NEVER_ANSWERED = ['OPTIONS'] as const;

/** The SCIM endpoints registered so far (paths below the prefix, e.g. `/:sorId/Users/:id`) and their methods. */
export type EndpointMethods = Map<string, Set<string>>;

/** Collects the methods of each endpoint as routes are registered; call it before registering them. */
export function collectEndpointMethods(app: FastifyInstance): EndpointMethods {
  const endpoints: EndpointMethods = new Map();
  app.addHook('onRoute', (route) => {
    const methods = endpoints.get(route.routePath) ?? new Set<string>();
    for (const method of [route.method].flat()) if (method !== 'HEAD') methods.add(method);
    endpoints.set(route.routePath, methods);
  });
  return endpoints;
}

/** `/:sorId/Users/:id` as clients read it: `/Users/{id}`. */
function endpointName(path: string): string {
  return path.replace(/^\/:sorId/, '').replace(/:(\w+)/g, '{$1}');
}

/**
 * What no endpoint answers: another method on a known endpoint gets 405 with Allow (RFC 9110 §15.5.6), any
 * other path below a SoR 404 naming the resource type it asked for. Registered after every endpoint, so the
 * SoR is known (and the push token checked) before the refusal, as for any other request.
 */
export function refuseUnrouted(app: FastifyInstance, endpoints: EndpointMethods, resourcePaths: readonly string[]): void {
  const known = [...endpoints].map(([path, methods]) => ({ path, allowed: METHODS.filter((method) => methods.has(method)) }));
  for (const { path, allowed } of known) {
    const others = [...METHODS.filter((method) => !allowed.includes(method)), ...NEVER_ANSWERED];
    if (others.length === 0) continue;
    app.route({
      method: others,
      url: path,
      handler: async (request) => {
        throw new MethodNotAllowed(request.method, endpointName(path), allowed);
      },
    });
  }
  const topLevel = new Set(known.map(({ path }) => path.split('/')[2]).filter((segment): segment is string => segment !== undefined && segment !== ''));
  const unknownPath = async (request: FastifyRequest): Promise<never> => {
    throw unknownEndpoint(request, topLevel, resourcePaths);
  };
  app.all('/:sorId', unknownPath);
  app.all('/:sorId/*', unknownPath);
}

function unknownEndpoint(request: FastifyRequest, topLevel: ReadonlySet<string>, resourcePaths: readonly string[]): ScimError {
  const { sorId, '*': rest = '' } = request.params as { sorId: string; '*'?: string };
  const [first = ''] = rest.split('/');
  const types = resourcePaths.join(' and ');
  // RFC 7644 §3.11: a service provider without /Me answers 501.
  if (first === 'Me') return new ScimError(501, `/Me is not implemented: a push token names a system of record, not a user; use /Users/{id}`);
  if (first === '') return notFound(`the SCIM endpoint of system of record "${sorId}" has no resource here; its resource types are ${types}`);
  if (topLevel.has(first)) return notFound(`no SCIM endpoint ${request.method} /${rest.split('?')[0]} for system of record "${sorId}"`);
  return notFound(`unknown resource type ${first} for system of record "${sorId}"; its resource types are ${types}`);
}
