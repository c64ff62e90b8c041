import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapSample } from '../../src/template/check-sample.js';
import { parseTemplate } from '../../src/template/load.js';
import { TemplateError } from '../../src/template/model.js';

/** The guide's examples, each a fenced block after a `<!-- role: name -->` marker. */
function examples(markdown: string): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  const block = /<!-- (template|sample|node|invalid|problems): ([\w-]+) -->\s*```\w*\n([\s\S]*?)```/g;
  for (const [, role, name, body] of markdown.matchAll(block)) {
    const entry = found.get(name!) ?? {};
    entry[role!] = body!;
    found.set(name!, entry);
  }
  return found;
}

const guide = examples(readFileSync(new URL('../../docs/templates.md', import.meta.url), 'utf8'));

describe('docs/templates.md', () => {
  it('has examples of every kind', () => {
    const roles = [...guide.values()].flatMap((entry) => Object.keys(entry));
    expect(new Set(roles)).toEqual(new Set(['template', 'sample', 'node', 'invalid', 'problems']));
  });

  for (const [name, entry] of guide) {
    if (entry.template) {
      it(`loads the "${name}" template${entry.sample ? ' and maps its sample as shown' : ''}`, () => {
        const template = parseTemplate(entry.template!);
        if (!entry.sample) return;
        const result = mapSample(template, JSON.parse(entry.sample));
        expect(result).toMatchObject({ ok: true });
        if (result.ok) expect(result.node).toEqual(JSON.parse(entry.node!));
      });
    }
    if (entry.invalid) {
      it(`reports the problems of the "${name}" template at the places shown`, () => {
        let problems: string[] = [];
        try {
          parseTemplate(entry.invalid!);
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          problems = error.problems.map((p) => p.place);
        }
        expect(problems).toEqual(JSON.parse(entry.problems!));
      });
    }
  }
});
