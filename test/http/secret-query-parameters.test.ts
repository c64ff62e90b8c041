import { describe, expect, it } from 'vitest';
import { redactSecretQueryParameters } from '../../src/http/secret-query-parameters.js';

describe('redactSecretQueryParameters', () => {
  it('redacts the value of a push token sent as access_token, and keeps the path', () => {
    expect(redactSecretQueryParameters('/events/scim/v1/abc?access_token=pgt_0123_secret')).toBe('/events/scim/v1/abc?access_token=[redacted]');
  });

  it.each(['access_token', 'token', 'api_key', 'apikey', 'key', 'secret', 'password', 'client_secret', 'code', 'assertion', 'signature', 'ACCESS_TOKEN', 'Api-Key', 'id_token', 'refresh_token', 'x-api-key', 'db_password'])(
    'redacts %s',
    (name) => {
      expect(redactSecretQueryParameters(`/p?${name}=s3cr3t`)).toBe(`/p?${name}=[redacted]`);
    },
  );

  it('keeps other parameters, their order and their encoding as sent', () => {
    const url = '/scim/v2/x/Users?filter=userName%20eq%20%22a%22&token=t1&count=10&aadOptscim062020&Token=t2';
    expect(redactSecretQueryParameters(url)).toBe('/scim/v2/x/Users?filter=userName%20eq%20%22a%22&token=[redacted]&count=10&aadOptscim062020&Token=[redacted]');
  });

  it('recognizes a percent-encoded parameter name', () => {
    expect(redactSecretQueryParameters('/p?access%5Ftoken=s3cr3t&%E0%A4%A=x')).toBe('/p?access%5Ftoken=[redacted]&%E0%A4%A=x');
  });

  it('leaves URLs without a query, or with nothing secret, unchanged', () => {
    expect(redactSecretQueryParameters('/api/v1/systems-of-record')).toBe('/api/v1/systems-of-record');
    expect(redactSecretQueryParameters('/api/v1/x/events?status=refused&cursor=abc')).toBe('/api/v1/x/events?status=refused&cursor=abc');
    expect(redactSecretQueryParameters('/p?token')).toBe('/p?token');
    expect(redactSecretQueryParameters('/p?')).toBe('/p?');
  });

  it('does not take parameters that only contain a secret word for secrets', () => {
    expect(redactSecretQueryParameters('/p?keyword=a&codec=b&sortBy=userName&monkey=c')).toBe('/p?keyword=a&codec=b&sortBy=userName&monkey=c');
  });

  it('redacts pushgraph tokens by their prefix anywhere, names such as auth, and parameters separated by ;', () => {
    expect(redactSecretQueryParameters('/events/scim/v1/abc?authorization=Bearer%20pgt_0123_secret')).toBe('/events/scim/v1/abc?authorization=[redacted]');
    expect(redactSecretQueryParameters('/e?auth=x1')).toBe('/e?auth=[redacted]');
    expect(redactSecretQueryParameters('/e?foo=1;access_token=x2')).toBe('/e?foo=1;access_token=[redacted]');
    expect(redactSecretQueryParameters('/e?a=1?access_token=pgt_0123_secret')).toBe('/e?a=1?access_token=[redacted]');
    expect(redactSecretQueryParameters('/e/pga_admin_token_value')).toBe('/e/[redacted]');
  });
});
