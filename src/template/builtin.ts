import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export interface BuiltinTemplate {
  id: string;
  displayName: string;
  pushType: string;
  /** The template as YAML text, as shipped. */
  yaml: string;
}

const BUILTIN_FILES: readonly { id: string; file: string }[] = [
  { id: 'scim-2.0-push', file: 'scim-2.0-push.sgnl.yaml' },
  { id: 'scim-events', file: 'scim-events.sgnl.yaml' },
];

/**
 * The YAML files live in src/template/builtin/ and the build does not copy them, so from dist/ they are
 * found by walking up to the package root.
 */
function builtinDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const besideModule = join(here, 'builtin');
  if (existsSync(join(besideModule, BUILTIN_FILES[0]?.file ?? ''))) return besideModule;
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'src', 'template', 'builtin');
    if (dirname(dir) === dir) throw new Error(`cannot find the built-in templates from ${here}`);
  }
}

function loadBuiltin(directory: string, id: string, file: string): BuiltinTemplate {
  const yaml = readFileSync(join(directory, file), 'utf8');
  const document = parse(yaml) as { displayName?: unknown; pushType?: unknown };
  return { id, displayName: String(document.displayName), pushType: String(document.pushType), yaml };
}

const directory = builtinDirectory();

export const builtinTemplates: readonly BuiltinTemplate[] = BUILTIN_FILES.map(({ id, file }) =>
  loadBuiltin(directory, id, file),
);

export function getBuiltinTemplate(id: string): BuiltinTemplate | undefined {
  return builtinTemplates.find((template) => template.id === id);
}
