import { describe, expect, it } from 'vitest';
import { errorCell } from '../../web/src/pages/event-error.js';

describe('the event log\'s Error column', () => {
  it('shows the error code, with the description on hover', () => {
    expect(errorCell({ errorCode: 'authentication_failed', errorDescription: 'the push token is not valid' })).toEqual({
      text: 'authentication_failed',
      title: 'the push token is not valid',
    });
  });

  it('shows a short form of the description when there is no code: a failed event, a SCIM 401', () => {
    const long = 'the PatchOp cannot be applied: no resource /Users/nobody has been pushed with a full event before this patch';
    const cell = errorCell({ errorCode: null, errorDescription: long });
    expect(cell.text).toBe('the PatchOp cannot be applied: no resource /Users/nobody…');
    expect(cell.title).toBe(long);
    expect(errorCell({ errorDescription: 'missing bearer token' })).toEqual({ text: 'missing bearer token', title: 'missing bearer token' });
    expect(errorCell({ errorDescription: 'x'.repeat(80) }).text).toBe(`${'x'.repeat(60)}…`);
  });

  it('is blank for an event without error', () => {
    expect(errorCell({})).toEqual({ text: '' });
  });
});
