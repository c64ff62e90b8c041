import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { testApp } from '../support/service.js';

const guide = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

/** The metric families /metrics declares (`# TYPE name kind`). */
function declaredFamilies(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
}

describe('docs/operations.md', () => {
  let store: SqliteGraphStore;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = new SqliteGraphStore(':memory:');
    await store.migrate();
    app = await testApp(store);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('names only metrics that /metrics serves', async () => {
    const families = declaredFamilies((await app.inject({ method: 'GET', url: '/metrics' })).body);
    const named = new Set([...guide.matchAll(/\bpushgraph_[a-z_]+/g)].map((match) => match[0].replace(/_bucket$/, '')));
    expect(named.size).toBeGreaterThan(5);
    for (const name of named) expect(families, name).toContain(name);
  });

  it('has alerting rules Prometheus can load: YAML, each with a name and an expression', () => {
    const block = /```yaml\n(groups:[\s\S]*?)```/.exec(guide)?.[1];
    const rules = (parse(block!) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) expect(rule).toMatchObject({ alert: expect.stringMatching(/^Pushgraph\w+$/), expr: expect.stringContaining('pushgraph_') });
  });

  it('names only outcomes and statuses the metrics use', () => {
    for (const [, outcome] of guide.matchAll(/outcome="(\w+)"/g)) expect(['accepted', 'ok', 'refused', 'rate_limited', 'error']).toContain(outcome);
    for (const [, status] of guide.matchAll(/status="(\w+)"/g)) expect(['applied', 'failed', 'ignored']).toContain(status);
  });

  it('shows the probes as they answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect(guide).toContain('`GET /healthz` answers `200 {"status":"ok"}`');
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', store: 'sqlite' });
    expect(guide).toContain('`GET /readyz` answers `200 {"status":"ready","store":"sqlite"}`');
  });
});
