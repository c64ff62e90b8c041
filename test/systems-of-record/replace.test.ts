import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { DEFAULT_VERIFICATION } from '../../src/systems-of-record/verification.js';
import { backends } from '../support/backends.js';
import { seedTemplate } from '../support/service.js';

const strictVerification = {
  signature: 'required',
  hmacSecrets: ['a-string-secret-at-least-256-bits-long'],
  issuer: 'https://scim.example.com',
  audience: ['sgnl.ai'],
};

describe.each(backends())('replacing a system of record on $name', (backend) => {
  let store: GraphStore;
  let sors: SystemsOfRecord;

  beforeAll(async () => {
    store = await backend.open();
    sors = new SystemsOfRecord(store);
  });
  afterAll(() => backend.dispose());

  it('keeps the verification settings when the request carries a template alone', async () => {
    const created = await sors.create({ templateYaml: seedTemplate, verification: strictVerification });
    const replaced = await sors.replace(created.record.id, { templateYaml: seedTemplate.replace('Entity Push SoR', 'Renamed') });
    expect(replaced.verification).toEqual(created.verification);
    expect((await sors.require(created.record.id)).verification).toMatchObject(strictVerification);
  });

  it('replaces the verification settings when the request carries them', async () => {
    const created = await sors.create({ templateYaml: seedTemplate, verification: strictVerification });
    const replaced = await sors.replace(created.record.id, { templateYaml: seedTemplate, verification: { bearerToken: 'required' } });
    expect(replaced.verification).toEqual(DEFAULT_VERIFICATION);
  });
});
