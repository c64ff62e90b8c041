#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerServeCommand } from './serve.js';
import { registerSorCommands } from './sor.js';
import { registerTokenCommands } from './token.js';
import { registerNodeCommands } from './node.js';
import { registerSetCommands } from './set.js';
import { registerTemplateCommands } from './template.js';
import { registerScimCommands } from './scim.js';
import { registerBulkCommands } from './bulk.js';
import { registerSetImportCommand } from './set-import.js';
import { registerBackupCommand } from './backup.js';
import { registerEventLogCommands } from './events.js';
import { CliError, exitQuietlyWhenOutputCloses } from './context.js';

// `pushgraph sor list | head -5`: once the reader has what it wanted, the rest of the output has nowhere to go.
exitQuietlyWhenOutputCloses(process.stdout);

const program = new Command()
  .name('pushgraph')
  .description('Keep an identity graph current from SCIM 2.0 calls and SCIM Security Event Tokens')
  .option('--database-url <url>', 'the store: sqlite:PATH or postgres://… (default: $PUSHGRAPH_DATABASE_URL or sqlite:./data/pushgraph.db)')
  .option('--public-url <url>', 'base URL that endpoint addresses are built from (default: $PUSHGRAPH_PUBLIC_URL)')
  // A command's help lists these too (`pushgraph serve --help`), since they are given after it as well.
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .exitOverride();

registerServeCommand(program);
registerSorCommands(program);
registerTokenCommands(program);
registerNodeCommands(program);
registerSetCommands(program);
registerTemplateCommands(program);
registerScimCommands(program);
registerBulkCommands(program);
registerEventLogCommands(program);
registerSetImportCommand(program);
registerBackupCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`pushgraph: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`pushgraph: ${(error as Error).message}\n`);
  process.exit(1);
}
