import { describe, expect, it } from 'vitest';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { ProblemError } from '../../src/http/problem.js';

describe('readSystemOfRecordRequest', () => {
  it('takes a YAML body as the template itself', () => {
    expect(readSystemOfRecordRequest('displayName: X\n')).toEqual({ templateYaml: 'displayName: X\n' });
  });

  it('takes {"template": YAML string} with verification and overrides', () => {
    const request = readSystemOfRecordRequest({ template: 'displayName: X', pushType: 'SCIM', verification: { signature: 'required' } });
    expect(request).toMatchObject({ templateYaml: 'displayName: X', pushType: 'SCIM', verification: { signature: 'required' } });
  });

  it('turns {"template": object} into YAML', () => {
    expect(readSystemOfRecordRequest({ template: { displayName: 'X' } }).templateYaml).toBe('displayName: X\n');
  });

  it('uses the built-in SCIM 2.0 template for {"pushType": "SCIM2.0"} alone', () => {
    const request = readSystemOfRecordRequest({ pushType: 'SCIM2.0' });
    expect(request.templateYaml).toContain('SCIM 2.0 Push');
    expect(request.pushType).toBe('SCIM2.0');
  });

  it.each([
    [{}, /no template/],
    [{ templateId: 'nope' }, /unknown templateId "nope"/],
    [{ template: 'x', templateId: 'scim-2.0-push' }, /either "template" or "templateId"/],
    [{ template: 42 }, /"template" must be/],
    [{ pushType: 7 }, /"pushType" must be a string/],
    [{ tempate: 'x' }, /unknown field "tempate"/],
    [[1, 2], /must be a JSON object/],
    ['   ', /empty/],
  ])('refuses %j with a specific message', (body, message) => {
    expect(() => readSystemOfRecordRequest(body)).toThrowError(ProblemError);
    expect(() => readSystemOfRecordRequest(body)).toThrowError(message);
  });
});
