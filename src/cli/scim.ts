import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, cannotReach, print } from './context.js';

/**
 * A SCIM 2.0 client for trying a SoR's endpoint the way an identity provider calls it, like the seed's curl
 * example: `pushgraph scim send --endpoint URL --token T --data @user.json` creates a user.
 */
export function registerScimCommands(program: Command): void {
  program
    .command('scim')
    .description('call a SCIM 2.0 endpoint as an identity provider would')
    .command('send')
    .description('send one SCIM request and print the answer')
    .requiredOption('--endpoint <url>', 'the SoR\'s SCIM 2.0 endpoint (printed by `sor create --scim`)')
    .requiredOption('--token <token>', 'the push token, sent as Bearer')
    .option('--method <method>', 'GET, POST, PUT, PATCH or DELETE (default: POST with --data, else GET)')
    .option('--path <path>', 'the resource path under the endpoint', '/Users')
    .option('--data <json>', 'the request body: JSON text, or @FILE')
    .action(async (options: { endpoint: string; token: string; method?: string; path: string; data?: string }) => {
      const body = options.data === undefined ? undefined : await readBody(options.data);
      const method = (options.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw new CliError(`unsupported method ${method}`, 2);
      const url = `${options.endpoint.replace(/\/+$/, '')}/${options.path.replace(/^\/+/, '')}`;
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: 'application/scim+json',
            ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          },
          body,
        });
      } catch (error) {
        throw cannotReach(url, error);
      }
      const text = await response.text();
      print(`${response.status} ${response.statusText}`);
      if (text) print(prettyJson(text));
      if (!response.ok) process.exitCode = 1;
    });
}

async function readBody(option: string): Promise<string> {
  const text = option.startsWith('@') ? await readFile(option.slice(1), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${option.slice(1)}: ${error.code ?? error.message}`);
  }) : option;
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CliError(`--data is not valid JSON: ${(error as Error).message}`);
  }
  return text;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
