import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinTemplates, getBuiltinTemplate } from '../../src/template/builtin.js';
import { parseTemplate } from '../../src/template/load.js';
import { catalogDir, repoRoot } from './catalog.js';

describe('built-in templates', () => {
  it('offers the SCIM 2.0 push template and the SCIM events template', () => {
    expect(builtinTemplates.map(({ id, displayName, pushType }) => ({ id, displayName, pushType }))).toEqual([
      { id: 'scim-2.0-push', displayName: 'SCIM 2.0 Push', pushType: 'SCIM2.0' },
      { id: 'scim-events', displayName: 'SCIM Events', pushType: 'SCIM' },
    ]);
  });

  it('ships the catalog file unchanged below its attribution header', () => {
    const yaml = getBuiltinTemplate('scim-2.0-push')!.yaml;
    expect(yaml).toMatch(/^# SCIM 2\.0 Push template from SGNL's System of Record catalog\n/);
    expect(yaml).toContain('Apache License 2.0');
    expect(yaml.endsWith(readFileSync(join(catalogDir, 'scim-2.0-push.sgnl.yaml'), 'utf8'))).toBe(true);
  });

  it('ships the license next to the template', () => {
    expect(readFileSync(join(repoRoot, 'src/template/builtin/LICENSE'), 'utf8')).toContain('Apache License');
  });

  it('loads', () => {
    const template = parseTemplate(getBuiltinTemplate('scim-2.0-push')!.yaml);
    expect(Object.keys(template.entities)).toContain('GroupMember');
  });

  it('returns undefined for an unknown id', () => {
    expect(getBuiltinTemplate('nope')).toBeUndefined();
  });
});
