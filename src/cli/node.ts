import type { Command } from 'commander';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { presentNode } from '../explorer/present-node.js';
import { CliError, printJson, withStore } from './context.js';

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('read the graph');

  node
    .command('get')
    .description('print a node with its attributes and children, as the graph-read API returns it')
    .requiredOption('--sor <id>', 'the system of record')
    .requiredOption('--entity <key>', 'the template\'s entity key, such as User')
    .requiredOption('--id <id>', 'the node id (its uniqueId attribute value)')
    .action(async (options: { sor: string; entity: string; id: string }, command: Command) => {
      await withStore(command, async (store) => {
        const { template } = await new SystemsOfRecord(store).require(options.sor);
        if (!template.entities[options.entity]) {
          throw new CliError(`no entity "${options.entity}"; this system of record has ${Object.keys(template.entities).join(', ')}`);
        }
        const found = await store.getNode(options.sor, options.entity, options.id);
        if (!found) throw new CliError(`no ${options.entity} node with id "${options.id}"`);
        printJson(presentNode(found, await store.getChildren(options.sor, options.entity, options.id)));
      });
    });
}
