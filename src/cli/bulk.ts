import type { Command } from 'commander';
import { buildAttributeIndexes } from '../bulk/build-attribute-indexes.js';
import { clearNodes } from '../bulk/clear-nodes.js';
import type { RemapNodesResult } from '../bulk/remap-nodes.js';
import { remapSystemOfRecord } from '../bulk/remap.js';
import type { RemapScimResourcesResult } from '../bulk/remap-scim-resources.js';
import type { GraphStore } from '../graph/store.js';
import { throttled } from '../bulk/progress.js';
import { retryFailedEvents } from '../bulk/retry-failed.js';
import { readSystemOfRecordRequest } from '../systems-of-record/create-request.js';
import { SystemsOfRecord, checkRemappable, type SystemOfRecord } from '../systems-of-record/service.js';
import { CliError, print, withStore } from './context.js';
import { parseJson, readText } from './sor.js';
import { progressReporter, progressReporters } from './progress-bar.js';

/** Long operations on a SoR's data, with progress on standard error. */
export function registerBulkCommands(program: Command): void {
  program
    .command('events')
    .description('the event log')
    .command('retry-failed')
    .description('put every failed event of a system of record back in the inbox; a running service applies them again')
    .requiredOption('--sor <id>', 'the system of record')
    .action(async (options: { sor: string }, command: Command) => {
      await withStore(command, async (store) => {
        await new SystemsOfRecord(store).require(options.sor);
        const progress = progressReporter('retrying failed events');
        const result = await retryFailedEvents(store, options.sor, throttled(progress.report, 100));
        progress.finish();
        print(`${result.retried} of ${result.failed} failed events put back in the inbox`);
      });
    });

  const sor = program.commands.find((each) => each.name() === 'sor');
  if (!sor) throw new Error('register the sor commands first');
  sor
    .command('update')
    .description('replace the template of a system of record; attributes it indexes anew get their index built for the nodes already there')
    .requiredOption('--sor <id>', 'the system of record')
    .requiredOption('--template <file>', 'an SGNL-format YAML template')
    .option('--verification <file>', 'a JSON file with new verification settings (SET SoRs); without it they are kept')
    .option('--remap', 'then map the stored nodes again with the new template, from what was pushed (SET SoRs) or from the SCIM Users and Groups (SCIM 2.0 SoRs)')
    .action(async (options: { sor: string; template: string; verification?: string; remap?: boolean }, command: Command) => {
      const body: Record<string, unknown> = { template: await readText(options.template) };
      if (options.verification) body.verification = parseJson(await readText(options.verification), options.verification);
      await withStore(command, async (store, config) => {
        const replaced = await new SystemsOfRecord(store).replace(options.sor, readSystemOfRecordRequest(body), undefined, { remap: options.remap });
        print(`replaced the template of system of record ${options.sor} (${replaced.record.displayName})`);
        if (replaced.record.indexBuilds) {
          const progress = progressReporter('building the attribute index');
          const { built } = await buildAttributeIndexes(store, options.sor, throttled(progress.report, 100));
          progress.finish();
          for (const { entity, attributes, nodes } of built) print(`indexed ${attributes.map((a) => `${entity}.${a}`).join(', ')} for ${nodes} existing nodes`);
        }
        if (options.remap) await remapWithProgress(store, replaced, config.publicUrl);
      });
    });

  sor
    .command('remap')
    .description('map the stored nodes of a system of record again with its current template, from what was pushed (SET) or from its SCIM Users and Groups (SCIM 2.0)')
    .requiredOption('--sor <id>', 'the system of record')
    .action(async (options: { sor: string }, command: Command) => {
      await withStore(command, async (store, config) => {
        const sor = await new SystemsOfRecord(store).require(options.sor);
        checkRemappable(sor.record.pushType);
        await remapWithProgress(store, sor, config.publicUrl);
      });
    });

  sor
    .command('clear')
    .description('delete every node of a system of record, and a SCIM 2.0 one\'s users and groups (it keeps its template, tokens and event log)')
    .requiredOption('--sor <id>', 'the system of record')
    .option('--yes', 'do it without asking (required)')
    .action(async (options: { sor: string; yes?: boolean }, command: Command) => {
      if (!options.yes) throw new CliError('this deletes every node of the system of record; add --yes to do it', 2);
      await withStore(command, async (store, config) => {
        const sor = await new SystemsOfRecord(store).require(options.sor);
        const progress = progressReporters({ 'clear-nodes': 'deleting nodes', 'clear-scim-resources': 'deleting SCIM resources' });
        const result = await clearNodes(store, sor, config.publicUrl, throttled(progress.report, 100));
        progress.finish();
        print(`deleted ${result.deleted} nodes (with their children)`);
        if (result.deletedScimResources !== undefined) print(`deleted ${result.deletedScimResources} SCIM resources (users and groups, with their members)`);
      });
    });
}

async function remapWithProgress(store: GraphStore, sor: SystemOfRecord, publicUrl: string): Promise<void> {
  const progress = progressReporters({
    'remap-nodes': 'mapping nodes again',
    'remap-scim-resources': 'projecting SCIM resources again',
    'remove-moved-scim-nodes': 'looking for nodes keyed by an old uniqueId',
  });
  const result = await remapSystemOfRecord(store, sor, publicUrl, throttled(progress.report, 100));
  progress.finish();
  if (typeof result.remapped === 'number') printNodeRemap(result as RemapNodesResult);
  else printScimRemap(result as RemapScimResourcesResult);
}

function printNodeRemap(result: RemapNodesResult): void {
  const { noSource, changedSince, notMapped, pushedMeanwhile, idTaken } = result.skipped;
  print(`mapped ${result.remapped} nodes again`);
  const left = noSource + changedSince + notMapped + pushedMeanwhile + idTaken;
  if (left === 0) return;
  print(
    `left ${left} as they were: ${noSource} without a source, ${changedSince} changed since their last full event, ` +
      `${notMapped} the template cannot map, ${pushedMeanwhile} pushed meanwhile, ${idTaken} whose new id another node has`,
  );
  for (const node of result.leftAsTheyWere) print(`  ${node.entity} ${node.id}: ${node.reason}`);
}

function printScimRemap(result: RemapScimResourcesResult): void {
  const { users, groups, members } = result.remapped;
  print(`projected ${users} users and ${groups} groups (${members} members) again`);
  if (result.removedNodes > 0) print(`removed ${result.removedNodes} nodes keyed by the old uniqueId`);
  const { notMapped, deletedMeanwhile, keptChanging } = result.skipped;
  const left = notMapped + deletedMeanwhile + keptChanging;
  if (left === 0) return;
  print(`left ${left} resources: ${notMapped} the template cannot map, ${deletedMeanwhile} deleted meanwhile, ${keptChanging} that kept changing`);
  for (const resource of result.leftAsTheyWere) print(`  ${resource.resourceType} ${resource.id}: ${resource.reason}`);
}
