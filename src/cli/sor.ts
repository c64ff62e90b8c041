import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readSystemOfRecordRequest } from '../systems-of-record/create-request.js';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { endpointsOf, exampleCurl } from '../systems-of-record/present.js';
import { noPushEndpointReason } from '../systems-of-record/push-types.js';
import { CliError, print, printJson, withStore } from './context.js';

interface SorCreateOptions {
  template?: string;
  scim?: boolean;
  events?: boolean;
  relaxedSchemaChecks?: boolean;
  pushType?: string;
  displayName?: string;
  verification?: string;
  json?: boolean;
}

export function registerSorCommands(program: Command): void {
  const sor = program.command('sor').description('systems of record');

  sor
    .command('create')
    .description('create a system of record from a template file, or from a built-in template with --scim or --events')
    .option('--template <file>', 'an SGNL-format YAML template')
    .option('--scim', 'a SCIM 2.0 push SoR with the built-in template')
    .option('--events', 'a SCIM events (SET) SoR with the built-in template for Users, Groups and memberships')
    .option('--relaxed-schema-checks', 'SCIM 2.0: accept resources whose "schemas" is missing or incomplete (noted in the request log)')
    .option('--push-type <type>', 'SCIM (SCIM events) or SCIM2.0; overrides the template')
    .option('--display-name <name>', 'overrides the template\'s displayName')
    .option('--verification <file>', 'a JSON file with verification settings (SET SoRs)')
    .option('--json', 'print the created SoR as JSON')
    .action(async (options: SorCreateOptions, command: Command) => {
      const chosen = [options.template, options.scim, options.events].filter(Boolean).length;
      if (chosen !== 1) throw new CliError('give one of --template FILE, --scim or --events', 2);
      const body: Record<string, unknown> = options.scim
        ? { pushType: 'SCIM2.0' }
        : options.events
          ? { templateId: 'scim-events' }
          : { template: await readText(options.template!) };
      if (options.pushType) body.pushType = options.pushType;
      if (options.displayName) body.displayName = options.displayName;
      if (options.relaxedSchemaChecks) body.scim = { schemaChecks: 'relaxed' };
      if (options.verification) body.verification = parseJson(await readText(options.verification), options.verification);
      await withStore(command, async (store, config) => {
        const created = await new SystemsOfRecord(store).create(readSystemOfRecordRequest(body));
        const { record } = created;
        const endpoints = endpointsOf(config.publicUrl, record.id, record.pushType);
        if (options.json) return printJson({ id: record.id, displayName: record.displayName, pushType: record.pushType, endpoints });
        print(`created system of record ${record.id} (${record.displayName}, pushType ${record.pushType})`);
        print(`entities: ${Object.keys(created.template.entities).join(', ')}`);
        if (endpoints.scim) print(`SCIM 2.0 endpoint: ${endpoints.scim}`);
        if (endpoints.events) print(`SET endpoint:      ${endpoints.events}`);
        const noEndpoint = noPushEndpointReason(record.pushType);
        if (noEndpoint) return print(`no push endpoint: ${noEndpoint}`);
        print();
        print('next: create a push token for it');
        print(`  pushgraph token create --sor ${record.id}`);
        const curl = exampleCurl(endpoints);
        if (curl) {
          print('then push (with PUSH_TOKEN set to that token):');
          print(`  ${curl}`);
        }
      });
    });

  sor
    .command('list')
    .description('list systems of record')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command, async (store, config) => {
        const all = await new SystemsOfRecord(store).list();
        if (options.json) {
          return printJson(all.map(({ record }) => ({ id: record.id, displayName: record.displayName, pushType: record.pushType, endpoints: endpointsOf(config.publicUrl, record.id, record.pushType) })));
        }
        if (all.length === 0) return print('no systems of record yet: create one with `pushgraph sor create --template FILE` or `--scim`');
        for (const { record } of all) {
          const endpoints = endpointsOf(config.publicUrl, record.id, record.pushType);
          print(`${record.id}  ${record.pushType.padEnd(7)}  ${record.displayName}  ${endpoints.scim ?? endpoints.events ?? ''}`);
        }
      });
    });
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
