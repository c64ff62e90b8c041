import { stringify as toYaml } from 'yaml';
import type { SystemOfRecordOptions } from '../graph/store.js';
import { badRequest } from '../http/problem.js';
import { getBuiltinTemplate, builtinTemplates } from '../template/builtin.js';

/** What a create or replace request asks for, whichever of the accepted body shapes it came in. */
export interface SystemOfRecordRequest {
  templateYaml: string;
  pushType?: string;
  displayName?: string;
  description?: string;
  verification?: unknown;
  options?: SystemOfRecordOptions;
}

const DEFAULT_SCIM2_TEMPLATE = 'scim-2.0-push';
const BODY_FIELDS = new Set(['template', 'templateId', 'pushType', 'displayName', 'description', 'verification', 'scim']);

/** `{"scim": {"schemaChecks": "strict" | "relaxed"}}` for SCIM 2.0 SoRs. */
function readScimOptions(scim: unknown): SystemOfRecordOptions {
  const checks = (scim as { schemaChecks?: unknown } | null)?.schemaChecks;
  const extra = typeof scim === 'object' && scim !== null ? Object.keys(scim).filter((k) => k !== 'schemaChecks') : [];
  if (typeof scim !== 'object' || scim === null || Array.isArray(scim) || extra.length > 0 || (checks !== 'strict' && checks !== 'relaxed')) {
    throw badRequest('"scim" must be {"schemaChecks": "strict"} or {"schemaChecks": "relaxed"}', {
      errors: [{ place: 'scim.schemaChecks', message: 'must be "strict" (the default) or "relaxed"' }],
    });
  }
  return { scimSchemaChecks: checks };
}

/**
 * Accepts the body shapes of CONTRACT.md: the YAML template itself, `{"template": YAML string or object}`,
 * `{"templateId": ID}`, or `{"pushType": "SCIM2.0"}` alone for the built-in SCIM 2.0 template.
 */
export function readSystemOfRecordRequest(body: unknown): SystemOfRecordRequest {
  if (typeof body === 'string') {
    if (body.trim() === '') throw badRequest('the request body is empty; send a template as YAML or JSON');
    if (body.includes('\u0000')) throw badRequest('the template contains a NUL character (U+0000), which cannot be stored');
    return { templateYaml: body };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object or a YAML template');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !BODY_FIELDS.has(k));
  if (unknown.length > 0) {
    throw badRequest(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ` +
        `expected ${[...BODY_FIELDS].join(', ')} (to send the template itself, use Content-Type: application/yaml)`,
    );
  }
  for (const field of ['pushType', 'displayName', 'description', 'templateId'] as const) {
    if (fields[field] !== undefined && typeof fields[field] !== 'string') throw badRequest(`"${field}" must be a string`);
  }
  const common = {
    pushType: fields.pushType as string | undefined,
    displayName: fields.displayName as string | undefined,
    description: fields.description as string | undefined,
    verification: fields.verification,
    ...(fields.scim === undefined ? {} : { options: readScimOptions(fields.scim) }),
  };
  if (fields.template !== undefined && fields.templateId !== undefined) {
    throw badRequest('send either "template" or "templateId", not both');
  }
  if (fields.template !== undefined) {
    const template = fields.template;
    if (typeof template === 'string') return { ...common, templateYaml: template };
    if (typeof template === 'object' && template !== null && !Array.isArray(template)) {
      return { ...common, templateYaml: toYaml(template) };
    }
    throw badRequest('"template" must be the template as a YAML string or as an object');
  }
  const templateId = (fields.templateId as string | undefined) ?? (common.pushType === 'SCIM2.0' ? DEFAULT_SCIM2_TEMPLATE : undefined);
  if (templateId === undefined) {
    throw badRequest(
      'no template: send the template (Content-Type: application/yaml, or {"template": ...}), ' +
        `a built-in one with {"templateId": ...} (${builtinTemplates.map((t) => t.id).join(', ')}), or {"pushType": "SCIM2.0"}`,
    );
  }
  const builtin = getBuiltinTemplate(templateId);
  if (!builtin) {
    throw badRequest(`unknown templateId "${templateId}"; built-in templates: ${builtinTemplates.map((t) => t.id).join(', ')}`);
  }
  return { ...common, templateYaml: builtin.yaml };
}
