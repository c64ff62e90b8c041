import { applyOperation } from './apply-operation.js';
import type { PatchContext } from './context.js';
import { sameJson } from './json.js';
import { readPatchMessage } from './message.js';
import { PatchError } from './patch-error.js';
import { resourceHints } from './schema-hints.js';
import type { PatchOptions, PatchResult, ScimResource } from './types.js';
import { equalityFilters } from './value-filter.js';

/**
 * Applies a SCIM PatchOp message (RFC 7644 §3.5.2) to `resource`. The PATCH semantics are the product's
 * own logic, written by hand to accept what Okta and Entra ID actually send. All operations apply or none:
 * they run on a copy, and `resource` is never modified. See PatchOptions.separateMembers for Group members.
 */
export function applyPatch(resource: ScimResource, request: unknown, options: PatchOptions): PatchResult {
  try {
    const operations = readPatchMessage(request);
    const context: PatchContext = {
      resource: structuredClone(resource),
      resourceType: options.resourceType,
      hints: resourceHints(options.resourceType),
      filters: options.valueFilters ?? equalityFilters,
      separateMembers: options.separateMembers === true,
      memberChanges: [],
    };
    for (const operation of operations) applyOperation(context, operation);
    const modified = context.memberChanges.length > 0 || !sameJson(resource, context.resource);
    return { ok: true, resource: context.resource, memberChanges: context.memberChanges, modified };
  } catch (error) {
    if (error instanceof PatchError) return { ok: false, error };
    throw error;
  }
}
