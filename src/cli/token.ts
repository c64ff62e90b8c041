import type { Command } from 'commander';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { createPushToken, MAX_GRACE_SECONDS, revokePushToken, rotatePushToken } from '../systems-of-record/push-tokens.js';
import { endpointsOf, exampleCurl } from '../systems-of-record/present.js';
import { CliError, print, printJson, withStore } from './context.js';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('push tokens of a system of record');

  token
    .command('create')
    .description('create a push token (shown this once)')
    .requiredOption('--sor <id>', 'the system of record')
    .option('--expires-at <time>', 'RFC 3339 expiry time')
    .option('--description <text>', 'what the token is for')
    .option('--json', 'print JSON')
    .action(async (options: { sor: string; expiresAt?: string; description?: string; json?: boolean }, command: Command) => {
      await withStore(command, async (store, config) => {
        const sor = await new SystemsOfRecord(store).require(options.sor);
        const { record, token: secret } = await createPushToken(store, options.sor, { expiresAt: options.expiresAt, description: options.description });
        if (options.json) return printJson({ id: record.id, token: secret, createdAt: record.createdAt, expiresAt: record.expiresAt });
        print(`push token ${record.id} for ${sor.record.displayName}${record.expiresAt ? `, expires ${record.expiresAt}` : ''}:`);
        print(`  ${secret}`);
        print('it is shown this once; store it in your identity provider or sender now.');
        const curl = exampleCurl(endpointsOf(config.publicUrl, sor.record.id, sor.record.pushType), secret);
        if (curl) {
          print('try it:');
          print(`  ${curl}`);
        }
      });
    });

  token
    .command('revoke')
    .description('revoke a push token at once')
    .requiredOption('--sor <id>', 'the system of record')
    .argument('<tokenId>', 'the token id (from `token create` or the tokens list)')
    .action(async (tokenId: string, options: { sor: string }, command: Command) => {
      await withStore(command, async (store) => {
        await new SystemsOfRecord(store).require(options.sor);
        await revokePushToken(store, options.sor, tokenId);
        print(`revoked push token ${tokenId}; requests using it are refused from now on`);
      });
    });

  token
    .command('rotate')
    .description('create a new token in place of an old one, which keeps working for a grace period')
    .requiredOption('--sor <id>', 'the system of record')
    .option('--grace <seconds>', 'how long the old token keeps working (default 86400, a day)')
    .option('--expires-at <time>', 'RFC 3339 expiry time of the new token')
    .argument('<tokenId>', 'the token to replace')
    .action(async (tokenId: string, options: { sor: string; grace?: string; expiresAt?: string }, command: Command) => {
      const graceSeconds = options.grace === undefined ? undefined : graceSecondsOf(options.grace);
      await withStore(command, async (store) => {
        await new SystemsOfRecord(store).require(options.sor);
        const rotated = await rotatePushToken(store, options.sor, tokenId, { graceSeconds, expiresAt: options.expiresAt });
        print(`new push token ${rotated.record.id}:`);
        print(`  ${rotated.token}`);
        print('it is shown this once; put it in your sender now.');
        print(`the old token ${tokenId} keeps working until ${rotated.previous.expiresAt}`);
      });
    });

  token
    .command('list')
    .description('list the push tokens of a system of record (without secrets)')
    .requiredOption('--sor <id>', 'the system of record')
    .action(async (options: { sor: string }, command: Command) => {
      await withStore(command, async (store) => {
        await new SystemsOfRecord(store).require(options.sor);
        for (const t of await store.listPushTokens(options.sor)) {
          const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'active';
          print(`${t.id}  created ${t.createdAt}  ${state}  last used ${t.lastUsedAt ?? 'never'}  ${t.description ?? ''}`);
        }
      });
    });
}

/** Checked here so that the message names the flag, not the admin API field it becomes. */
function graceSecondsOf(text: string): number {
  const seconds = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(seconds <= MAX_GRACE_SECONDS)) {
    throw new CliError(`--grace must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (30 days), not ${JSON.stringify(text)}`, 2);
  }
  return seconds;
}
