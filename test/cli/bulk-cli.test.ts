import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPushgraph } from '../support/cli.js';
import { createStore } from '../support/created-store.js';
import { openStore } from '../../src/graph/open-store.js';
import { ScimResources } from '../../src/scim/resources.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pushgraph-cli-bulk-'));
const databaseUrl = `sqlite:${join(dir, 'cli.db')}`;

const pushgraph = (...args: string[]) => runPushgraph(args, { databaseUrl });

describe('pushgraph bulk commands', () => {
  beforeAll(() => createStore(databaseUrl));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report progress as plain lines when not on a terminal', async () => {
    const sor = await pushgraph('sor', 'create', '--template', 'examples/entity-push.sgnl.yaml');
    const id = /created system of record (\S+)/.exec(sor.stdout)![1]!;
    const refused = await pushgraph('sor', 'clear', '--sor', id);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    const cleared = await pushgraph('sor', 'clear', '--sor', id, '--yes');
    expect(cleared.stderr).toBe('deleting nodes: 0 of 0\n');
    expect(cleared.stdout).toContain('deleted 0 nodes');
    const retried = await pushgraph('events', 'retry-failed', '--sor', id);
    expect(retried.stderr).toBe('retrying failed events: 0 of 0\n');
    expect(retried.stdout).toContain('0 of 0 failed events put back in the inbox');
  });

  it('projects a SCIM 2.0 SoR\'s users and groups again with a template that needs it', async () => {
    const sor = await pushgraph('sor', 'create', '--scim');
    const id = /created system of record (\S+)/.exec(sor.stdout)![1]!;
    const store = openStore(databaseUrl);
    try {
      const resources = new ScimResources(store, await new SystemsOfRecord(store).require(id), `http://127.0.0.1:8080/scim/v2/${id}`, 'seed');
      const ada = await resources.create('User', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com', userType: 'true' });
      await resources.create('Group', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineers', members: [{ value: ada.record.id }] });
    } finally {
      await store.close();
    }
    const template = join(dir, 'scim-user-type-bool.yaml');
    writeFileSync(template, readFileSync(join(root, 'src/template/builtin/scim-2.0-push.sgnl.yaml'), 'utf8').replace(/(name: userType\n(?:.*\n){2}\s+type: )String/, '$1Bool'));
    const refused = await pushgraph('sor', 'update', '--sor', id, '--template', template);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('replace the template with ?remap=true');
    const updated = await pushgraph('sor', 'update', '--sor', id, '--template', template, '--remap');
    expect(updated.code).toBe(0);
    expect(updated.stderr).toBe(
      'projecting SCIM resources again: 0 of 2\nprojecting SCIM resources again: 2 of 2\n' +
        'looking for nodes keyed by an old uniqueId: 0 of 2\nlooking for nodes keyed by an old uniqueId: 2 of 2\n',
    );
    expect(updated.stdout).toBe(`replaced the template of system of record ${id} (SCIM 2.0 Push)\nprojected 1 users and 1 groups (1 members) again\n`);
    const remapped = await pushgraph('sor', 'remap', '--sor', id);
    expect(remapped.stdout).toBe('projected 1 users and 1 groups (1 members) again\n');
    const reopened = openStore(databaseUrl);
    try {
      expect((await reopened.findNodes(id, 'User', 'userName', 'ada@example.com'))[0]!.attributes.userType).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it('deletes a SCIM 2.0 SoR\'s users and groups with its nodes', async () => {
    const sor = await pushgraph('sor', 'create', '--scim');
    const id = /created system of record (\S+)/.exec(sor.stdout)![1]!;
    const store = openStore(databaseUrl);
    try {
      const resources = new ScimResources(store, await new SystemsOfRecord(store).require(id), 'http://pushgraph.test/scim/v2', 'seed');
      const ada = await resources.create('User', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com' });
      await resources.create('Group', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineers', members: [{ value: ada.record.id }] });
    } finally {
      await store.close();
    }
    const cleared = await pushgraph('sor', 'clear', '--sor', id, '--yes');
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toBe('deleting nodes: 0 of 2\ndeleting nodes: 2 of 2\ndeleting SCIM resources: 0 of 2\ndeleting SCIM resources: 2 of 2\n');
    expect(cleared.stdout).toBe('deleted 2 nodes (with their children)\ndeleted 2 SCIM resources (users and groups, with their members)\n');
    const reopened = openStore(databaseUrl);
    try {
      expect((await reopened.queryScimResources(id, 'User', { count: 10 })).total).toBe(0);
      expect((await reopened.queryScimResources(id, 'Group', { count: 10 })).total).toBe(0);
      expect(await reopened.countNodes(id)).toEqual({});
    } finally {
      await reopened.close();
    }
  });

  it('replaces a template and builds the index of the attributes it indexes anew, with progress', async () => {
    const sor = await pushgraph('sor', 'create', '--template', 'examples/entity-push.sgnl.yaml');
    const id = /created system of record (\S+)/.exec(sor.stdout)![1]!;
    const store = openStore(databaseUrl);
    try {
      const users = Array.from({ length: 3 }, (_, i) => ({ entity: 'User', id: `u${i}`, attributes: { id: `u${i}`, enabled: i > 0 }, children: [] }));
      await store.replaceNodes(id, users, { indexedAttributes: {} });
    } finally {
      await store.close();
    }
    const template = join(dir, 'enabled-indexed.yaml');
    writeFileSync(template, readFileSync(join(root, 'examples/entity-push.sgnl.yaml'), 'utf8').replace(/(name: enabled\n(?:.*\n){3}\s+type: Bool\n\s+indexed: )false/, '$1true'));
    const updated = await pushgraph('sor', 'update', '--sor', id, '--template', template);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toBe('building the attribute index: 0 of 3\nbuilding the attribute index: 3 of 3\n');
    expect(updated.stdout).toBe(`replaced the template of system of record ${id} (Entity Push SoR)\nindexed User.enabled for 3 existing nodes\n`);
    const reopened = openStore(databaseUrl);
    try {
      expect((await reopened.findNodes(id, 'User', 'enabled', true)).map((node) => node.id)).toEqual(['u1', 'u2']);
    } finally {
      await reopened.close();
    }

    const again = await pushgraph('sor', 'update', '--sor', id, '--template', template);
    expect(again.stdout).toBe(`replaced the template of system of record ${id} (Entity Push SoR)\n`);
    writeFileSync(template, 'displayName: Broken\nentities: {}\n');
    const refused = await pushgraph('sor', 'update', '--sor', id, '--template', template);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('entities');
    const remap = await pushgraph('sor', 'remap', '--sor', id);
    expect(remap.code).toBe(0);
    expect(remap.stdout).toMatch(/^mapped 0 nodes again\nleft 3 as they were: 3 without a source, 0 changed since their last full event, 0 the template cannot map, 0 pushed meanwhile, 0 whose new id another node has\n {2}User u0: not written by a full event/);
    const unknown = await pushgraph('sor', 'update', '--sor', 'no-such-sor', '--template', 'examples/entity-push.sgnl.yaml');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no-such-sor');
  });
});
