import type { Command } from 'commander';
import { PUSH_EVENT_STATUSES, type PushEventQuery, type PushEventRecord, type PushEventStatus } from '../graph/push-events.js';
import type { GraphStore } from '../graph/store.js';
import { parseRfc3339 } from '../mapping/datetime.js';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { CliError, print, printJson, withStore } from './context.js';

const FOLLOW_INTERVAL_MS = 1000;
/** Events read per page when catching up with what arrived between two polls. */
const PAGE = 200;

interface ListOptions {
  sor: string;
  status?: string;
  type?: string;
  subject?: string;
  since?: string;
  count: string;
  follow?: boolean;
  json?: boolean;
}

/** The event log on a terminal: what an operator wiring a sender watches while the IdP pushes. */
export function registerEventLogCommands(program: Command): void {
  const events = program.commands.find((each) => each.name() === 'events');
  if (!events) throw new Error('register the bulk commands (events retry-failed) first');

  events
    .command('list')
    .description('print the newest events of a system of record, oldest first, one line each; --follow prints new ones as they come')
    .requiredOption('--sor <id>', 'the system of record')
    .option('--status <status>', PUSH_EVENT_STATUSES.join(', '))
    .option('--type <type>', 'an event type, or its end, such as prov:create:full')
    .option('--subject <subject>', 'a SET subject (sub_id.uri) or SCIM resource path')
    .option('--since <time>', 'only events received at or after this RFC 3339 time')
    .option('--count <n>', 'how many of the newest events to print first (1 to 500)', '20')
    .option('--follow', 'then keep printing events as they arrive, and the outcome of accepted ones once applied (Ctrl-C ends)')
    .option('--json', 'one JSON object per line, as the admin API returns each event')
    .action(async (options: ListOptions, command: Command) => {
      const query = readQuery(options);
      await withStore(command, async (store) => {
        await new SystemsOfRecord(store).require(options.sor);
        const show = options.json ? (event: PushEventRecord) => print(JSON.stringify(event)) : (event: PushEventRecord) => print(eventLine(event));
        const { items } = await store.listPushEvents(options.sor, query);
        const shown = [...items].reverse();
        shown.forEach(show);
        if (options.follow) await follow(store, options.sor, query, shown, show);
      });
    });

  events
    .command('show')
    .description('print one event whole: authentication, the raw and decoded SET or request, what was extracted, the graph operations')
    .requiredOption('--sor <id>', 'the system of record')
    .requiredOption('--event <id>', 'the event id (the last column of `events list`)')
    .action(async (options: { sor: string; event: string }, command: Command) => {
      await withStore(command, async (store) => {
        await new SystemsOfRecord(store).require(options.sor);
        const event = await store.getPushEvent(options.sor, options.event);
        if (!event) throw new CliError(`no event "${options.event}" in the log of system of record ${options.sor}`);
        printJson(event);
      });
    });
}

function readQuery(options: ListOptions): PushEventQuery {
  if (options.status !== undefined && !PUSH_EVENT_STATUSES.includes(options.status as PushEventStatus)) {
    throw new CliError(`--status must be one of ${PUSH_EVENT_STATUSES.join(', ')} (got "${options.status}")`);
  }
  const count = Number(options.count);
  if (!/^\d+$/.test(options.count) || count < 1 || count > 500) throw new CliError(`--count must be a whole number from 1 to 500 (got "${options.count}")`);
  const since = options.since === undefined ? undefined : parseRfc3339(options.since);
  if (options.since !== undefined && since === undefined) {
    throw new CliError(`--since must be an RFC 3339 time with its offset, such as 2026-11-26T08:00:00Z (got "${options.since}")`);
  }
  return {
    limit: count,
    ...(options.status ? { status: options.status as PushEventStatus } : {}),
    ...(options.type ? { type: options.type } : {}),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(since ? { since: since.toISOString() } : {}),
  };
}

/**
 * Polls for events newer than the last one shown, and for the outcome of the accepted ones shown (an accepted SET
 * is applied, or fails, a moment later: its line is printed again then). Runs until the process is stopped.
 */
async function follow(store: GraphStore, sorId: string, query: PushEventQuery, shown: PushEventRecord[], show: (event: PushEventRecord) => void): Promise<never> {
  let lastSequence = Math.max(0, ...shown.map((event) => event.sequence ?? 0));
  const waiting = new Set(shown.filter((event) => event.status === 'accepted').map((event) => event.id));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
    for (const id of [...waiting]) {
      const event = await store.getPushEvent(sorId, id);
      if (event?.status === 'accepted') continue;
      waiting.delete(id);
      if (event) show(event);
    }
    const arrived = await eventsAfter(store, sorId, query, lastSequence);
    for (const event of arrived) {
      show(event);
      if (event.status === 'accepted') waiting.add(event.id);
      lastSequence = Math.max(lastSequence, event.sequence ?? 0);
    }
  }
}

/** The events after `sequence` that match the query, oldest first (the log is read newest first). */
async function eventsAfter(store: GraphStore, sorId: string, query: PushEventQuery, sequence: number): Promise<PushEventRecord[]> {
  const newer: PushEventRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPushEvents(sorId, { ...query, limit: PAGE, ...(cursor ? { cursor } : {}) });
    const fresh = page.items.filter((event) => (event.sequence ?? 0) > sequence);
    newer.push(...fresh);
    cursor = fresh.length === page.items.length ? page.nextCursor : undefined;
  } while (cursor);
  return newer.reverse();
}

/** `time status http what subject outcome id`: what an operator scans for, the id last for `events show`. */
export function eventLine(event: PushEventRecord): string {
  const what = event.protocol === 'set' ? shortEventType(event.eventType) ?? 'SET' : `${event.method} ${event.path}`;
  const outcome = event.errorCode || event.errorDescription ? errorText(event) : operationsText(event);
  return [event.receivedAt, event.status.padEnd(9), String(event.httpStatus), what, event.subject ?? '-', outcome, event.id].filter((part) => part !== '').join('  ');
}

function shortEventType(uri: string | undefined): string | undefined {
  return uri?.replace(/^urn:ietf:params:scim:event:/i, '');
}

function errorText(event: PushEventRecord): string {
  const text = [event.errorCode, event.errorDescription].filter(Boolean).join(': ');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

function operationsText(event: PushEventRecord): string {
  const operations = event.operations ?? [];
  if (operations.length === 0) return '';
  const first = operations.slice(0, 3).map((operation) => `${operation.op} ${operation.entity} ${operation.id}`);
  return operations.length > 3 ? `${first.join(', ')} and ${operations.length - 3} more` : first.join(', ');
}
