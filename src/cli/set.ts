import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { PROVISIONING_KINDS, SCIM_EVENT_PREFIX, scimEventKind } from '../events/event-type.js';
import { CliError, cannotReach, print, printJson } from './context.js';

interface SignOptions {
  payload?: string;
  /** Given or not: with --payload it must not be (the payload names its event). */
  event?: string;
  uri?: string;
  id?: string;
  externalId?: string;
  data?: string;
  iss?: string;
  aud?: string;
  secret?: string;
  key?: string;
  alg?: string;
  kid?: string;
}

const EVENT_URI_PREFIX = 'urn:ietf:params:scim:event:prov:';
const DEFAULT_ISSUER = 'https://scim.example.com';

/**
 * The sender's side of the seed's jwt.io-and-curl walkthrough: build a SET, sign it, send it.
 */
export function registerSetCommands(program: Command): void {
  const set = program.command('set').description('build, sign and send SCIM Security Event Tokens');

  set
    .command('sign')
    .description('print a signed SET (compact JWS) built from --payload FILE or from flags')
    .option('--payload <file>', 'the SET claims as JSON ("-" for standard input); iss, aud, iat and jti are filled in when missing')
    .option('--event <kind>', `${PROVISIONING_KINDS.join(', ')}, or a whole SCIM event URI (default: create:full)`)
    .option('--uri <uri>', 'sub_id.uri, such as /Users/2819c223')
    .option('--id <id>', 'sub_id.id')
    .option('--external-id <id>', 'sub_id.externalId')
    .option('--data <json>', 'the resource for a full event: JSON text, or @FILE')
    .option('--iss <issuer>', `the issuer (default: ${DEFAULT_ISSUER})`)
    .option('--aud <audience>', 'the audience')
    .option('--secret <secret>', 'sign with HS256 and this secret (a push token, or an HMAC secret of the SoR)')
    .option('--key <file>', 'sign with this private JWK (from `pushgraph keys generate`)')
    .option('--alg <alg>', 'the algorithm (default: HS256 with --secret, the JWK\'s alg with --key)')
    .option('--kid <kid>', 'the key id header (default: the JWK\'s kid)')
    .action(async (options: SignOptions) => {
      print(await signSet(options));
    });

  set
    .command('send')
    .description('POST a SET to a SET endpoint and print the answer')
    .requiredOption('--endpoint <url>', 'the SoR\'s SET endpoint (printed by `sor create`)')
    .option('--token <token>', 'the push token, sent as Bearer')
    .argument('[jws]', 'the SET; read from standard input when absent or "-"')
    .action(async (jws: string | undefined, options: { endpoint: string; token?: string }) => {
      const body = jws === undefined || jws === '-' ? (await readStdin()).trim() : jws;
      let response: Response;
      try {
        response = await fetch(options.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/secevent+jwt',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body,
        });
      } catch (error) {
        throw cannotReach(options.endpoint, error);
      }
      const text = await response.text();
      print(`${response.status} ${response.statusText}${text ? `\n${text}` : ''}`);
      if (!response.ok) process.exitCode = 1;
    });

  program
    .command('keys')
    .description('signing keys for SET senders')
    .command('generate')
    .description('print a new key pair: the private JWK (for `set sign --key`) and the public JWKS (for the SoR\'s verification.jwks)')
    .option('--alg <alg>', 'RS256 or ES256', 'ES256')
    .option('--kid <kid>', 'key id (default: random)')
    .action(async (options: { alg: string; kid?: string }) => {
      if (!['RS256', 'ES256'].includes(options.alg)) throw new CliError('--alg must be RS256 or ES256', 2);
      const { publicKey, privateKey } = await generateKeyPair(options.alg, { extractable: true });
      const kid = options.kid ?? randomUUID();
      const meta = { kid, alg: options.alg, use: 'sig' };
      printJson({ privateJwk: { ...(await exportJWK(privateKey)), ...meta }, jwks: { keys: [{ ...(await exportJWK(publicKey)), ...meta }] } });
    });
}

export async function signSet(options: SignOptions): Promise<string> {
  if (!options.secret === !options.key) throw new CliError('give exactly one of --secret or --key', 2);
  if (options.payload) {
    // The payload is the whole SET: flags that build one would be silently left out.
    const building = (['event', 'uri', 'id', 'externalId', 'data'] as const).filter((flag) => options[flag] !== undefined);
    if (building.length > 0) {
      const flags = building.map((flag) => `--${flag === 'externalId' ? 'external-id' : flag}`).join(', ');
      throw new CliError(`--payload is the whole SET; ${flags} would be left out: put them in the payload, or build the SET from flags alone`, 2);
    }
  }
  const event = options.event ?? 'create:full';
  const eventUri = eventUriOf(event);
  const data = options.data === undefined ? undefined : await readData(options.data);
  const claims = options.payload ? withFlagClaims(await readPayload(options.payload), options.payload, options) : claimsFromFlags(options, eventUri, data);
  claims.iat ??= Math.floor(Date.now() / 1000);
  claims.jti ??= randomUUID();
  if (options.secret) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'secevent+jwt', ...(options.kid ? { kid: options.kid } : {}) })
      .sign(new TextEncoder().encode(options.secret));
  }
  const jwk = JSON.parse(await readFile(options.key!, 'utf8')) as JWK & { privateJwk?: JWK };
  const privateJwk = jwk.privateJwk ?? jwk;
  const alg = options.alg ?? privateJwk.alg;
  if (!alg) throw new CliError('the JWK has no "alg"; give --alg');
  const kid = options.kid ?? privateJwk.kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'secevent+jwt', ...(kid ? { kid } : {}) })
    .sign(await importJWK(privateJwk, alg));
}

/** A payload's iss and aud come from --iss and --aud when it has none; a flag that says otherwise is a mistake. */
function withFlagClaims(claims: JWTPayload, file: string, options: SignOptions): JWTPayload {
  for (const [claim, flag] of [['iss', options.iss], ['aud', options.aud]] as const) {
    const value = claims[claim];
    if (flag === undefined || value === undefined) continue;
    const same = value === flag || (Array.isArray(value) && value.length === 1 && value[0] === flag);
    if (!same) throw new CliError(`${file} has "${claim}" ${JSON.stringify(value)} but --${claim} is ${JSON.stringify(flag)}; give one of them`, 2);
  }
  claims.iss ??= options.iss ?? DEFAULT_ISSUER;
  if (options.aud !== undefined) claims.aud ??= options.aud;
  return claims;
}

/** A kind the receiver would not recognise makes a SET it logs and ignores, so it is refused here. */
function eventUriOf(event: string): string {
  if (event.toLowerCase().startsWith(SCIM_EVENT_PREFIX) && scimEventKind(event) !== undefined) return event;
  if ((PROVISIONING_KINDS as readonly string[]).includes(event)) return `${EVENT_URI_PREFIX}${event}`;
  throw new CliError(`unknown --event ${JSON.stringify(event)}: give one of ${PROVISIONING_KINDS.join(', ')}, or a SCIM event URI (${SCIM_EVENT_PREFIX}…)`, 2);
}

function claimsFromFlags(options: SignOptions, eventUri: string, data: unknown): JWTPayload {
  if (!options.uri) throw new CliError('give --payload FILE, or --uri (and --id, --data) to build the SET', 2);
  const event = eventUri.toLowerCase().endsWith(':full') ? { data: data ?? {} } : {};
  return {
    iss: options.iss ?? DEFAULT_ISSUER,
    ...(options.aud ? { aud: options.aud } : {}),
    sub_id: { format: 'scim', uri: options.uri, ...(options.id ? { id: options.id } : {}), ...(options.externalId ? { externalId: options.externalId } : {}) },
    events: { [eventUri]: event },
  };
}

async function readData(option: string): Promise<unknown> {
  const text = option.startsWith('@') ? await readFile(option.slice(1), 'utf8') : option;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`--data is not valid JSON: ${(error as Error).message}`);
  }
}

async function readPayload(file: string): Promise<JWTPayload> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  let claims: unknown;
  try {
    claims = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new CliError(`${file} must hold the SET claims as a JSON object`);
  return claims as JWTPayload;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
