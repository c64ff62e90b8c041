import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/server.js';
import { freePort } from '../support/service-process.js';
import { browserTestsSkipped, ensureConsoleBuilt, launchBrowser, screenshot } from './browser.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const ADMIN_TOKEN = 'pga_console-test-admin-token-0123456789';
const seedTemplatePath = join(root, 'test/fixtures/templates/seed-entity-push.sgnl.yaml');

async function pushgraph(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(browserTestsSkipped)('web console in chromium', () => {
  let dir: string;
  let service: RunningService;
  let browser: Browser;
  let page: Page;
  let phone: Page;

  beforeAll(async () => {
    ensureConsoleBuilt();
    dir = mkdtempSync(join(tmpdir(), 'pushgraph-console-'));
    const port = await freePort();
    const config = loadConfig({}, { port, databaseUrl: `sqlite:${join(dir, 'console.db')}`, adminToken: ADMIN_TOKEN });
    service = await startService(config, createLogger('silent'));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sorUrl = { id: '', endpoint: '', token: '' };

  it('asks for the admin token once and shows what to do first', async () => {
    await page.goto(`${service.url}/console/`);
    await page.getByLabel('Admin token').fill('pga_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That is not the admin token').waitFor();
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No system of record yet').waitFor();
    await screenshot(page, '01-systems-of-record-empty');
  });

  it('shows a broken template\'s problems at their places, then creates the SoR from the seed template', async () => {
    await page.getByRole('link', { name: 'Create the first system of record' }).click();
    const seed = readFileSync(seedTemplatePath, 'utf8');
    await page.getByLabel('Template', { exact: true }).fill(seed.replace('type: Bool', 'type: Boolish'));
    await page.getByRole('button', { name: 'Create' }).click();
    const problems = page.getByTestId('template-problems');
    await problems.waitFor();
    expect(await problems.textContent()).toContain('entities.User.attributes[2].type');
    expect(await page.locator('.bad-line').count()).toBeGreaterThan(0);
    await screenshot(page, '02-template-problems');

    await page.getByLabel('Template file').setInputFiles(seedTemplatePath);
    await expect.poll(() => page.getByLabel('Template', { exact: true }).inputValue()).toBe(seed);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Entity Push SoR' }).waitFor();
    sorUrl.id = decodeURIComponent(new URL(page.url()).pathname.split('/')[3]!);
    sorUrl.endpoint = (await page.getByTestId('endpoint-url').textContent())!;
    expect(sorUrl.endpoint).toBe(`${service.url}/events/scim/v1/${sorUrl.id}`);
    expect(await page.getByTestId('example-curl').textContent()).toContain(`curl -X POST '${sorUrl.endpoint}'`);
  });

  it('creates a push token, shown once with a copy button', async () => {
    await page.getByPlaceholder('What it is for (optional)').fill('e2e sender');
    await page.getByRole('button', { name: 'Create token' }).click();
    sorUrl.token = (await page.getByTestId('token-value').textContent())!;
    expect(sorUrl.token).toMatch(/^pgt_/);
    await page.getByTestId('new-token').getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByRole('cell', { name: /e2e sender/ }).waitFor();
    await screenshot(page, '03-system-of-record-with-token');
  });

  it('shows a SET pushed with the CLI in the live event log, and a rejected one with its error code', async () => {
    await page.getByRole('link', { name: 'Event log' }).first().click();
    await page.getByText('No event yet').waitFor();
    await screenshot(page, '04-event-log-empty');

    const signed = await pushgraph(
      'set', 'sign', '--secret', sorUrl.token, '--uri', '/Users/44f6142df96bd6ab61e7521d9', '--id', '100',
      '--external-id', 'jdoe', '--aud', 'sgnl.ai', '--data', '@examples/jdoe.json',
    );
    expect(signed.code).toBe(0);
    const sent = await pushgraph('set', 'send', '--endpoint', sorUrl.endpoint, '--token', sorUrl.token, signed.stdout.trim());
    expect(sent.stdout).toContain('202');
    // The live tail shows it without a reload.
    await page.locator('tr[data-status="applied"]').waitFor({ timeout: 15_000 });

    const rejected = await pushgraph('set', 'send', '--endpoint', sorUrl.endpoint, '--token', 'pgt_not_a_token', signed.stdout.trim());
    expect(rejected.code).toBe(1);
    await page.locator('tr[data-status="refused"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('tr[data-status="refused"]').textContent()).toContain('authentication_failed');
    await screenshot(page, '05-event-log-live');

    await page.getByLabel('Status').selectOption('refused');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.locator('tr[data-status="refused"] a').click();
    await page.getByTestId('event-error').waitFor();
    expect(await page.getByTestId('event-error').textContent()).toContain('authentication_failed');
    await screenshot(page, '06-event-refused');
  });

  it('shows the applied event with its SET, verification and graph operations, and opens the node', async () => {
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events?status=applied`);
    await page.locator('tr[data-status="applied"] a').click();
    await page.getByTestId('raw-set').waitFor();
    expect(await page.getByTestId('verification-steps').textContent()).toContain('Signature: verified');
    await page.getByRole('heading', { name: 'Extracted attributes' }).waitFor();
    await screenshot(page, '07-event-applied');
    await page.getByRole('link', { name: 'User 100' }).click();
    await page.getByTestId('node-title').waitFor();
    expect(await page.getByTestId('node-title').textContent()).toBe('jdoe@example.com');
    expect(await page.getByTestId('attributes').textContent()).toContain('userName');
    await page.locator('[data-testid="neighbourhood"] g.node[data-entity="Email"]').waitFor();
    await screenshot(page, '08-node-user');
  });

  it('follows a link to the child e-mail and back to its parent, and survives a reload there', async () => {
    await page.getByRole('link', { name: 'jdoe@example.com' }).first().click();
    await page.getByRole('heading', { name: 'Attributes' }).waitFor();
    expect(new URL(page.url()).pathname).toContain('/explorer/Email/');
    await page.reload();
    await page.getByText('Parent:').waitFor();
    await screenshot(page, '09-node-email');
    await page.getByRole('link', { name: 'User 100' }).click();
    await expect.poll(() => page.getByTestId('node-title').textContent()).toBe('jdoe@example.com');
  });

  it('retries a failed event, one or all at once with progress', async () => {
    const patch = await pushgraph(
      'set', 'sign', '--secret', sorUrl.token, '--event', 'patch:full', '--uri', '/Users/nobody', '--id', 'nobody',
      '--data', '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"enabled","value":true}]}',
    );
    await pushgraph('set', 'send', '--endpoint', sorUrl.endpoint, '--token', sorUrl.token, patch.stdout.trim());
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events?status=failed`);
    await page.locator('tr[data-status="failed"] a').click();
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Put back in the inbox').waitFor();
    await page.getByRole('link', { name: '← Event log' }).click();
    await page.locator('tr[data-status="failed"]').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Retry all failed' }).click();
    await page.getByText('1 failed event put back in the inbox.').waitFor();
    expect(await page.getByRole('progressbar').textContent()).toContain('Retrying: 1 of 1');
    await screenshot(page, '10-event-log-retry-all');
  });

  it('searches the explorer with a SCIM filter', async () => {
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/explorer/User`);
    await page.getByPlaceholder(/eq/).fill('userName sw "JDOE"');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByTestId('search-results').textContent()).toContain('jdoe@example.com');
    await screenshot(page, '11-explorer-search');
  });

  it('pushes a SCIM user and group, and follows the UserGroups relationship in the explorer', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const sor = (await (await fetch(`${service.url}/api/v1/systems-of-record`, { method: 'POST', headers: admin, body: '{"pushType":"SCIM2.0"}' })).json()) as { id: string; endpoints: { scim: string } };
    const { token } = (await (await fetch(`${service.url}/api/v1/systems-of-record/${sor.id}/tokens`, { method: 'POST', headers: admin, body: '{}' })).json()) as { token: string };
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/events`);
    await page.getByText('No event yet').waitFor();
    const created = await pushgraph('scim', 'send', '--endpoint', sor.endpoints.scim, '--token', token, '--path', '/Users', '--data',
      JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'test.user@example.com', displayName: 'Test User', active: true }));
    expect(created.stdout).toMatch(/^201 Created/);
    const user = JSON.parse(created.stdout.slice(created.stdout.indexOf('{'))) as { id: string };
    const grouped = await pushgraph('scim', 'send', '--endpoint', sor.endpoints.scim, '--token', token, '--path', '/Groups', '--data',
      JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', members: [{ value: user.id }] }));
    const group = { status: Number(grouped.stdout.split(' ')[0]) };
    expect(group.status).toBe(201);

    // Both appear in the live log without a reload.
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await screenshot(page, '12-scim-event-log');
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/explorer/User/${encodeURIComponent(user.id)}`);
    const relationships = page.getByTestId('relationships');
    await relationships.getByRole('link', { name: 'Engineering' }).click();
    await expect.poll(() => page.getByTestId('node-title').textContent()).toBe('Engineering');
    await page.getByTestId('relationships').getByRole('link', { name: 'Test User' }).waitFor();
    const picture = page.locator('[data-testid="neighbourhood"] g.node');
    await expect.poll(() => picture.count()).toBeGreaterThan(1);
    const before = await picture.count();
    await page.locator('[data-testid="neighbourhood"] g.node:not(.root)').first().click();
    await expect.poll(() => picture.count()).toBeGreaterThanOrEqual(before);
    // From the keyboard: a node takes the focus, and Enter expands it.
    const neighbourId = await page.locator('[data-testid="neighbourhood"] g.node:not(.root):not(.selected)').first().getAttribute('data-id');
    const neighbour = page.locator(`[data-testid="neighbourhood"] g.node[data-id="${neighbourId}"]`);
    await neighbour.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => neighbour.getAttribute('class')).toMatch(/selected/);
    await screenshot(page, '13-node-group-relationships');
  });

  it('creates a SoR from a built-in template picked in the console', async () => {
    await page.goto(`${service.url}/console/sors/new`);
    await page.getByLabel('Start from').selectOption('scim-events');
    expect(await page.getByLabel('Template', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'SCIM Events' }).waitFor();
    expect(await page.getByTestId('endpoint-url').textContent()).toMatch(/\/events\/scim\/v1\//);
    await screenshot(page, '16-built-in-template');
  });

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  async function scimSor(): Promise<{ id: string; scim: string; token: string }> {
    const sor = (await (await fetch(`${service.url}/api/v1/systems-of-record`, { method: 'POST', headers: admin, body: '{"pushType":"SCIM2.0"}' })).json()) as { id: string; endpoints: { scim: string } };
    const { token } = (await (await fetch(`${service.url}/api/v1/systems-of-record/${sor.id}/tokens`, { method: 'POST', headers: admin, body: '{}' })).json()) as { token: string };
    return { id: sor.id, scim: sor.endpoints.scim, token };
  }
  async function scim(sor: { scim: string; token: string }, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${sor.scim}${path}`, {
      method,
      headers: { authorization: `Bearer ${sor.token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  const eventIdsShown = () => page.locator('tbody tr a').evaluateAll((links) => links.map((link) => link.getAttribute('href')!.split('/').pop()!));

  it('keeps every event shown in the live log after "Older events", with new ones on top', async () => {
    const sor = await scimSor();
    for (let i = 0; i < 105; i++) expect((await scim(sor, 'GET', '/Users?count=1')).status).toBe(200);
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/events`);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: 'Older events' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(100);
    const before = await eventIdsShown();

    for (let i = 0; i < 5; i++) expect((await scim(sor, 'GET', '/Groups?count=1')).status).toBe(200);
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(105);
    const after = await eventIdsShown();
    expect(after.slice(5)).toEqual(before);
    expect(await page.locator('tbody tr').first().textContent()).toContain('Group');
    await page.getByRole('button', { name: 'Older events' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(110);
    expect(new Set(await eventIdsShown()).size).toBe(110);
  });

  it('shows why an event failed or a SCIM request was refused without an error code, in the Error column', async () => {
    const sor = await scimSor();
    expect((await fetch(`${sor.scim}/Users`, { headers: { authorization: 'Bearer pgt_not_a_token' } })).status).toBe(401);
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/events`);
    const refused = page.locator('tr[data-status="refused"] td').last();
    await expect.poll(() => refused.textContent()).not.toBe('');
    expect(await refused.getAttribute('title')).toBeTruthy();

    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events?status=failed`);
    const failed = page.locator('tr[data-status="failed"] td').last();
    await expect.poll(() => failed.textContent(), { timeout: 15_000 }).not.toBe('');
    const detail = await page.locator('tr[data-status="failed"] a').first().getAttribute('href');
    const event = (await (await fetch(`${service.url}/api/v1/systems-of-record/${encodeURIComponent(sorUrl.id)}/events/${detail!.split('/').pop()}`, { headers: admin })).json()) as { errorDescription: string };
    expect(await failed.getAttribute('title')).toBe(event.errorDescription);
  });

  it('says on an event\'s page what happened to it instead of "Applied" when it was not applied', async () => {
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events?status=refused`);
    await page.locator('tr[data-status="refused"] a').first().click();
    await page.getByTestId('event-outcome').waitFor();
    expect(await page.locator('dt').allTextContents()).not.toContain('Applied');
    expect(await page.getByTestId('event-outcome').textContent()).toContain('never applied');

    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events?status=failed`);
    await page.locator('tr[data-status="failed"] a').first().click();
    await page.getByTestId('event-outcome').waitFor();
    expect(await page.locator('dt').allTextContents()).toContain('Last attempt');
    expect(await page.locator('dt').allTextContents()).not.toContain('Applied');
    expect(await page.getByTestId('event-outcome').textContent()).toMatch(/\(attempts: \d+\)/);

    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events?status=applied`);
    await page.locator('tr[data-status="applied"] a').first().click();
    await page.getByTestId('event-outcome').waitFor();
    expect(await page.locator('dt').allTextContents()).toContain('Applied');
  });

  it('shows the Since filter again after a reload, in the browser\'s time zone', async () => {
    const context = await browser.newContext({ timezoneId: 'America/New_York', viewport: { width: 1280, height: 860 } });
    const elsewhere = await context.newPage();
    await elsewhere.goto(`${service.url}/console/`);
    await elsewhere.evaluate((token) => localStorage.setItem('pushgraph.adminToken', token), ADMIN_TOKEN);
    await elsewhere.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events`);
    await elsewhere.locator('tbody tr').first().waitFor();
    await elsewhere.getByLabel('Since').fill('2030-01-01T00:00');
    await elsewhere.getByText('No event matches these filters').waitFor();
    expect(new URL(elsewhere.url()).searchParams.get('since')).toBe('2030-01-01T05:00:00.000Z');
    await elsewhere.reload();
    await elsewhere.getByText('No event matches these filters').waitFor();
    expect(await elsewhere.getByLabel('Since').inputValue()).toBe('2030-01-01T00:00');
    await elsewhere.getByLabel('Since').fill('');
    await elsewhere.locator('tbody tr').first().waitFor();
    expect(new URL(elsewhere.url()).searchParams.has('since')).toBe(false);
    await context.close();
  });

  it('pages a node\'s history back with "Older"', async () => {
    const sor = await scimSor();
    const created = await scim(sor, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'history@example.com', active: true });
    const user = (await created.json()) as { id: string };
    for (let i = 0; i < 25; i++) {
      const patched = await scim(sor, 'PATCH', `/Users/${user.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: `Version ${i}` }],
      });
      expect(patched.status).toBe(200);
    }
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/explorer/User/${encodeURIComponent(user.id)}`);
    const history = page.getByTestId('history');
    await expect.poll(() => history.locator('li').count()).toBe(20);
    await history.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => history.locator('li').count()).toBe(26);
    expect(await history.getByRole('button', { name: 'Older' }).count()).toBe(0);
    expect(new Set(await history.locator('li a').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).size).toBe(26);
  });

  it('wraps a long value without spaces on node pages instead of widening them', async () => {
    const sor = await scimSor();
    const long = 'x'.repeat(5000);
    const created = await scim(sor, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'long@example.com', displayName: long, active: true });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string };
    const grouped = await scim(sor, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Long names', members: [{ value: user.id }] });
    expect(grouped.status).toBe(201);
    const group = (await grouped.json()) as { id: string };
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const path of [`User/${user.id}`, `Group/${group.id}`]) {
      await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/explorer/${path}`);
      await page.getByTestId('relationships').getByRole('link', { name: /^x+$|Long names/ }).first().waitFor({ timeout: 10_000 });
      expect(await overflow()).toBeLessThanOrEqual(0);
    }
    // The entity's list of nodes too, where the label is a search result link.
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sor.id)}/explorer/User`);
    await expect.poll(() => page.getByTestId('search-results').textContent()).toContain('xxxx');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, '17-node-long-value');
  });

  it('hides a token shown once when it is revoked', async () => {
    await page.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}`);
    await page.getByPlaceholder('What it is for (optional)').fill('revoked at once');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('new-token').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('row', { name: /revoked at once/ }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('row', { name: /revoked at once/ }).getByRole('cell', { name: 'revoked', exact: true }).waitFor();
    expect(await page.getByTestId('new-token').count()).toBe(0);
  });

  it('fits a phone screen', async () => {
    await phone.goto(`${service.url}/console/`);
    await phone.evaluate((token) => localStorage.setItem('pushgraph.adminToken', token), ADMIN_TOKEN);
    await phone.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/events`);
    await phone.locator('tr[data-status="applied"]').waitFor();
    await screenshot(phone, '14-phone-event-log');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.goto(`${service.url}/console/sors/${encodeURIComponent(sorUrl.id)}/explorer/User/100`);
    await phone.getByTestId('node-title').waitFor();
    await screenshot(phone, '15-phone-node');
  });
});
