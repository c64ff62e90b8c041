import type { ScimMemberRecord, ScimResourceStore } from '../graph/scim-resources.js';
import { matchesFilter, parseFilter } from './filter/index.js';
import type { MemberChange } from './patch/index.js';
import type { MemberDelta } from './projection.js';
import { renderMember } from './render.js';
import { toMemberRecord } from './resource-document.js';

const SCAN_PAGE = 1000;

/**
 * Folds a PATCH's member changes, in order, into one net delta: the last word on each member wins, and a
 * removal of everyone forgets what came before it. Only a filtered removal other than by id reads the members.
 */
export async function memberDelta(store: ScimResourceStore, sorId: string, groupId: string, changes: readonly MemberChange[]): Promise<MemberDelta> {
  let removeAll = false;
  const net = new Map<string, { kind: 'add' | 'remove'; member: ScimMemberRecord }>();
  for (const change of changes) {
    switch (change.kind) {
      case 'removeAll':
      case 'replaceAll':
        removeAll = true;
        net.clear();
        if (change.kind === 'replaceAll') for (const member of change.members) net.set(member.value, { kind: 'add', member: toMemberRecord(member) });
        break;
      case 'add':
        for (const member of change.members) net.set(member.value, { kind: 'add', member: toMemberRecord(member) });
        break;
      case 'remove':
        for (const value of change.values) net.set(value, { kind: 'remove', member: { value } });
        break;
      case 'removeWhere':
        for (const member of await membersWhere(store, sorId, groupId, change.filter, removeAll, net)) net.set(member.value, { kind: 'remove', member });
        break;
    }
  }
  const entries = [...net.values()];
  return {
    removeAll,
    add: entries.filter((entry) => entry.kind === 'add').map((entry) => entry.member),
    remove: entries.filter((entry) => entry.kind === 'remove').map((entry) => entry.member),
  };
}

/** Members matching a filter such as `type eq "Group"`, among those stored and those this PATCH adds. */
async function membersWhere(
  store: ScimResourceStore,
  sorId: string,
  groupId: string,
  filterText: string,
  storedCleared: boolean,
  net: Map<string, { kind: 'add' | 'remove'; member: ScimMemberRecord }>,
): Promise<ScimMemberRecord[]> {
  const filter = parseFilter(filterText);
  const matches = (member: ScimMemberRecord) => matchesFilter(renderMember(member), filter);
  const found = [...net.values()].filter((entry) => entry.kind === 'add' && matches(entry.member)).map((entry) => entry.member);
  if (storedCleared) return found;
  for (let after: string | undefined; ; ) {
    const page = await store.listScimMembers(sorId, groupId, { limit: SCAN_PAGE, ...(after === undefined ? {} : { afterValue: after }) });
    found.push(...page.filter((member) => !net.has(member.value) && matches(member)));
    if (page.length < SCAN_PAGE) return found;
    after = page[page.length - 1]!.value;
  }
}
