import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { parseTemplate } from '../template/load.js';
import { mapSample } from '../template/check-sample.js';
import { TemplateError, type Template, type TemplateProblem } from '../template/model.js';
import { scimMembersProblems } from '../scim/projection.js';
import { writeOnlyMappingProblems } from '../scim/write-only-mappings.js';
import { effectivePushType, noPushEndpointReason, pushTypeProblem } from '../systems-of-record/push-types.js';
import type { NodeTree } from '../graph/store.js';
import { CliError, print } from './context.js';

export function registerTemplateCommands(program: Command): void {
  program
    .command('template')
    .description('SoR templates')
    .command('check')
    .description('validate a template; with --sample, show what a SET or SCIM resource would become in the graph')
    .argument('<file>', 'an SGNL-format YAML template')
    .option('--sample <file>', 'a sample push: SET claims as JSON, a signed SET (compact JWS), or a SCIM resource')
    .option('--entity <key>', 'the entity a SCIM resource sample is for (default: from its schemas)')
    .action(async (file: string, options: { sample?: string; entity?: string }) => {
      const template = loadTemplate(await readText(file), file);
      print(`${file}: the template is valid`);
      const noEndpoint = noPushEndpointReason(effectivePushType(undefined, template.pushType));
      if (noEndpoint) print(`  no push endpoint: ${noEndpoint}`);
      print(`  entities: ${Object.values(template.entities).map((e) => (e.parent ? `${e.key} (child of ${e.parent})` : e.key)).join(', ')}`);
      const relationships = Object.values(template.relationships);
      if (relationships.length > 0) print(`  relationships: ${relationships.map((r) => `${r.key} (${r.kind})`).join(', ')}`);
      if (!options.sample) return;
      const result = mapSample(template, readSample(await readText(options.sample), options.sample), options.entity);
      if (!result.ok) {
        throw new CliError(
          [`${options.sample} does not map${result.entity ? ` to ${result.entity}` : ''}:`, ...result.errors.map((e) => `  ${e.message}`)].join('\n'),
        );
      }
      print();
      print(`${options.sample} (${result.kind === 'set' ? 'a SET' : 'a SCIM resource'}) becomes:`);
      printNode(template, result.node, '  ');
    });
}

/** The template, or every problem the admin API would report for it (the push type included), as a CliError. */
function loadTemplate(text: string, file: string): Template {
  let template: Template;
  try {
    template = parseTemplate(text);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw templateProblems(file, error.problems);
  }
  const pushTypeNotKnown = pushTypeProblem(undefined, template.pushType);
  if (pushTypeNotKnown) throw templateProblems(file, [pushTypeNotKnown]);
  const membersProblems = effectivePushType(undefined, template.pushType) === 'SCIM2.0' ? scimMembersProblems(template) : [];
  const problems = [...membersProblems, ...writeOnlyMappingProblems(template)];
  if (problems.length > 0) throw templateProblems(file, problems);
  return template;
}

function templateProblems(file: string, problems: TemplateProblem[]): CliError {
  return new CliError([`${file} has ${problems.length} problem(s):`, ...problems.map((p) => `  ${p.place}: ${p.message}`)].join('\n'));
}

function printNode(template: Template, node: NodeTree, indent: string): void {
  print(`${indent}${node.entity} ${JSON.stringify(node.id)}`);
  for (const attribute of template.entities[node.entity]?.attributes ?? []) {
    const value = node.attributes[attribute.name];
    const shown = value === undefined ? '(none)' : JSON.stringify(value);
    print(`${indent}  ${attribute.name.padEnd(20)} ${attribute.type.padEnd(8)} ${shown.padEnd(30)} from ${attribute.pushExternalId}`);
  }
  for (const child of node.children) printNode(template, child, `${indent}  `);
}

function readSample(text: string, file: string): unknown {
  const trimmed = text.trim();
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(trimmed)) {
    try {
      return decodeJwt(trimmed);
    } catch (error) {
      throw new CliError(`${file} looks like a JWS but its payload cannot be read: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw new CliError(`${file} is neither JSON nor a compact JWS: ${(error as Error).message}`);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
