import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { TemplateError, type TemplateProblem } from '../../src/template/model.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = join(repoRoot, 'test/fixtures/templates');
/** Copies of SGNL's catalog templates (Apache-2.0), so the tests do not depend on ../shared. */
export const catalogDir = join(fixturesDir, 'sgnl-catalog');
/** Where the copies come from, when present. */
export const sharedCatalogDir = resolve(repoRoot, '../shared/fixtures/sgnl-catalog');

export const catalogFiles = ['okta.sgnl.yaml', 'scim-2.0-push.sgnl.yaml', 'scim-2.0.sgnl.yaml', 'ssfevents.caep.sgnl.yaml'];
export const seedFile = 'seed-entity-push.sgnl.yaml';

export function readCatalogYaml(file: string): string {
  return readFileSync(join(catalogDir, file), 'utf8');
}

export function readSeedYaml(): string {
  return readFileSync(join(fixturesDir, seedFile), 'utf8');
}

export type TemplateObject = Record<string, unknown>;

/** A parsed copy that a test may mutate freely. */
export function catalogObject(file: string): TemplateObject {
  return parse(readCatalogYaml(file)) as TemplateObject;
}

export function seedObject(): TemplateObject {
  return parse(readSeedYaml()) as TemplateObject;
}

type Step = string | number;

export function getAt(document: unknown, path: readonly Step[]): unknown {
  return path.reduce<unknown>((value, step) => (value as Record<Step, unknown> | undefined)?.[step], document);
}

/** Sets a value deep inside a parsed template, e.g. `setAt(t, ['entities', 'User', 'attributes', 2, 'type'], 'Strng')`. */
export function setAt(document: unknown, path: readonly Step[], value: unknown): void {
  const parent = getAt(document, path.slice(0, -1)) as Record<Step, unknown>;
  parent[path[path.length - 1] as Step] = value;
}

export function deleteAt(document: unknown, path: readonly Step[]): void {
  const parent = getAt(document, path.slice(0, -1)) as Record<Step, unknown>;
  delete parent[path[path.length - 1] as Step];
}

/** The problems parseTemplate reports, or [] when the template loads. */
export function problemsOf(load: () => unknown): TemplateProblem[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof TemplateError) return error.problems;
    throw error;
  }
}

export function placesOf(load: () => unknown): string[] {
  return problemsOf(load).map((problem) => problem.place);
}
