import { isJsonObject } from './patch/json.js';
import type { ResourceType } from './patch/schema-hints.js';
import { RESOURCE_TYPES } from './resource-document.js';
import { badRequest, type ScimType } from './scim-error.js';

export type SchemaChecks = 'strict' | 'relaxed';

interface SchemaProblem {
  scimType: ScimType;
  detail: string;
}

/**
 * A POST or PUT body must have `schemas`, listing the core schema (seed 000: "ensure that all SCIM 2.0
 * requests include the appropriate schema URIs"). Strict SoRs refuse a body that does not; relaxed ones
 * accept it (the resource is fixed up when read) and get notes for the request log saying what was let through.
 */
export function checkSchemas(type: ResourceType, body: unknown, mode: SchemaChecks): string[] {
  if (!isJsonObject(body)) return [];
  const problems = schemaProblems(type, body);
  if (problems.length === 0) return [];
  if (mode === 'strict') {
    const first = problems[0]!;
    throw badRequest(first.scimType, problems.map((p) => p.detail).join('; '));
  }
  return problems.map((p) => `schema check relaxed: ${p.detail}`);
}

function schemaProblems(type: ResourceType, body: Record<string, unknown>): SchemaProblem[] {
  const core = RESOURCE_TYPES[type].schema;
  const schemasKey = Object.keys(body).find((key) => key.toLowerCase() === 'schemas');
  if (schemasKey === undefined) {
    return [{ scimType: 'invalidSyntax', detail: `"schemas" is missing; a ${type} must list "${core}"` }];
  }
  const listed = body[schemasKey];
  // Not a list of strings: reading the resource reports that, in both modes.
  if (!Array.isArray(listed) || !listed.every((s) => typeof s === 'string')) return [];
  const problems: SchemaProblem[] = [];
  const lowerListed = new Set(listed.map((s) => s.toLowerCase()));
  if (!lowerListed.has(core.toLowerCase())) {
    problems.push({ scimType: 'invalidValue', detail: `"schemas" does not list the core schema "${core}"` });
  }
  // RFC 7643 §3 asks that the extensions a body uses be listed, not that every listed one be used: Entra ID's
  // Create User lists the enterprise extension without carrying it. One carried but not listed is let through
  // too: reading the resource lists it (clients differ here).
  return problems;
}
