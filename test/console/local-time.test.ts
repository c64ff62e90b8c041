import { afterEach, describe, expect, it } from 'vitest';
import { instantOf, localInputOf } from '../../web/src/components/local-time.js';

describe('the event log\'s Since filter between its datetime-local input and the address', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('shows an instant from the address as local time, and reads it back as the same instant', () => {
    process.env.TZ = 'America/New_York';
    expect(localInputOf('2030-01-01T00:00:00.000Z')).toBe('2029-12-31T19:00');
    expect(instantOf('2029-12-31T19:00')).toBe('2030-01-01T00:00:00.000Z');
    process.env.TZ = 'UTC';
    expect(localInputOf('2030-01-01T00:00:00.000Z')).toBe('2030-01-01T00:00');
    expect(instantOf(localInputOf('2030-06-01T12:34:56.789Z'))).toBe('2030-06-01T12:34:56.789Z');
  });

  it('leaves the input blank for no time or one that is not a time', () => {
    expect(localInputOf('')).toBe('');
    expect(localInputOf('yesterday')).toBe('');
    expect(instantOf('')).toBe('');
  });
});
