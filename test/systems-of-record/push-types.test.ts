import { describe, expect, it } from 'vitest';
import { effectivePushType, noPushEndpointReason, pushTypeProblem } from '../../src/systems-of-record/push-types.js';

describe('push types', () => {
  it('takes the request\'s push type over the template\'s, and SCIM events when neither names one', () => {
    expect(effectivePushType('SCIM2.0', 'SCIM')).toBe('SCIM2.0');
    expect(effectivePushType(undefined, 'SSF')).toBe('SSF');
    expect(effectivePushType(undefined, undefined)).toBe('SCIM');
  });

  it.each(['SCIM', 'SCIM2.0', 'SSF'])('knows %s', (pushType) => {
    expect(pushTypeProblem(undefined, pushType)).toBeUndefined();
  });

  it('places an unknown push type where it came from', () => {
    expect(pushTypeProblem(undefined, 'SAML')).toEqual({ place: 'template.pushType', message: expect.stringContaining('"SAML" is not supported') });
    expect(pushTypeProblem('SAML', 'SCIM')).toEqual({ place: 'pushType', message: expect.stringContaining('"SAML" is not supported') });
    expect(pushTypeProblem(undefined, 'toString')?.place).toBe('template.pushType');
  });

  it('says why an SSF SoR has no push endpoint, and nothing for those that have one', () => {
    expect(noPushEndpointReason('SSF')).toBe('SSF (CAEP) event delivery is not supported yet');
    expect(noPushEndpointReason('SCIM')).toBeUndefined();
    expect(noPushEndpointReason('SCIM2.0')).toBeUndefined();
  });
});
