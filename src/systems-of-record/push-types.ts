import type { TemplateProblem } from '../template/model.js';

/** The push types this service has endpoints for: SCIM events (SETs) and the SCIM 2.0 API. */
export const PUSH_TYPES_WITH_ENDPOINTS = ['SCIM', 'SCIM2.0'] as const;

/**
 * Push types of SGNL's catalog that a SoR may have although nothing receives them yet: the SoR keeps its
 * template (every catalog template loads unchanged), advertises no endpoint, and pushes to it are refused.
 */
const PUSH_TYPES_NOT_RECEIVED_YET: Readonly<Record<string, string>> = {
  SSF: 'SSF (CAEP) event delivery is not supported yet',
};

/** The push type a SoR gets: the request's, else the template's, else `fallback` (SCIM events for a new SoR). */
export function effectivePushType(requested: string | undefined, fromTemplate: string | undefined, fallback = 'SCIM'): string {
  return requested ?? fromTemplate ?? fallback;
}

/**
 * A replacing template keeps the SoR's push type: its senders push to the endpoint of that type, and a SCIM 2.0
 * SoR's Users and Groups are kept with it. Switched by a template that names another type (or, before, by one that
 * named none), the SCIM 2.0 API answered its IdP 404 and its resources stayed behind with no way to read them.
 */
export function pushTypeChangeProblem(requested: string | undefined, fromTemplate: string | undefined, current: string): TemplateProblem | undefined {
  const pushType = effectivePushType(requested, fromTemplate, current);
  if (pushType === current) return undefined;
  return {
    place: requested !== undefined ? 'pushType' : 'template.pushType',
    message:
      `this system of record's pushType is "${current}" and a template change cannot make it "${pushType}": its senders push to ` +
      `the ${current} endpoint. Keep "${current}" (or leave pushType out), or create a new system of record for ${pushType}`,
  };
}

/** A problem when the push type is one this service does not know at all, placed where it came from. */
export function pushTypeProblem(requested: string | undefined, fromTemplate: string | undefined): TemplateProblem | undefined {
  const pushType = effectivePushType(requested, fromTemplate);
  if ((PUSH_TYPES_WITH_ENDPOINTS as readonly string[]).includes(pushType) || noPushEndpointReason(pushType) !== undefined) return undefined;
  return {
    place: requested !== undefined ? 'pushType' : 'template.pushType',
    message:
      `pushType "${pushType}" is not supported; use "SCIM" (SCIM events) or "SCIM2.0" (SCIM 2.0 API)` +
      (requested === undefined ? ', or set "pushType" in the request to override the template' : ''),
  };
}

/** Why a SoR of this push type has no push endpoint, or undefined when it has one. */
export function noPushEndpointReason(pushType: string): string | undefined {
  return Object.hasOwn(PUSH_TYPES_NOT_RECEIVED_YET, pushType) ? PUSH_TYPES_NOT_RECEIVED_YET[pushType] : undefined;
}

/**
 * What a SoR of this push type maps its stored nodes again from (a remap), or undefined when it keeps nothing to do
 * it with: a SCIM events SoR's nodes keep the SET they were built from, a SCIM 2.0 SoR keeps its Users and Groups.
 */
export function remapSource(pushType: string): string | undefined {
  return REMAP_SOURCES[pushType];
}

const REMAP_SOURCES: Readonly<Record<string, string>> = {
  SCIM: 'what was pushed',
  'SCIM2.0': "the SoR's SCIM Users and Groups",
};
