import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PerSorCounter } from '../../src/http/per-sor-counter.js';

describe('PerSorCounter', () => {
  it('drops every series of a SoR that no longer exists, and keeps those of the others and of unknown ids', async () => {
    const registry = new Registry();
    const counter = new PerSorCounter(new Counter({ name: 'pushes_total', help: 'h', labelNames: ['sor', 'outcome'] as const, registers: [registry] }));
    counter.inc({ sor: 'kept', outcome: 'accepted' });
    counter.inc({ sor: 'deleted', outcome: 'accepted' });
    counter.inc({ sor: 'deleted', outcome: 'refused' });
    counter.inc({ sor: 'unknown', outcome: 'refused' });
    counter.keepOnly(new Set(['kept']));
    const text = await registry.metrics();
    expect(text).not.toContain('deleted');
    expect(text).toContain('pushes_total{sor="kept",outcome="accepted"} 1');
    expect(text).toContain('pushes_total{sor="unknown",outcome="refused"} 1');
  });
});
