import { SignJWT, type JWTPayload } from 'jose';

export const HMAC_SECRET = 'a-string-secret-at-least-256-bits-long';

/** The seed's example SET (seed 001), as a sender builds it on jwt.io. */
export function seedSet(overrides: Record<string, unknown> = {}): JWTPayload {
  return {
    iss: 'https://scim.example.com',
    iat: Math.floor(Date.now() / 1000),
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    aud: 'sgnl.ai',
    sub_id: { format: 'scim', uri: '/Users/44f6142df96bd6ab61e7521d9', externalId: 'jdoe', id: '100' },
    events: {
      'urn:ietf:params:SCIM:event:prov:create:full': {
        data: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          emails: [{ type: 'work', value: 'jdoe@example.com' }],
          userName: 'jdoe@example.com',
          enabled: false,
        },
      },
    },
    ...overrides,
  };
}

export async function signHs256(payload: JWTPayload, secret = HMAC_SECRET, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'secevent+jwt', ...header })
    .sign(new TextEncoder().encode(secret));
}

export function unsigned(payload: JWTPayload, header: Record<string, unknown> = { alg: 'none', typ: 'secevent+jwt' }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.`;
}
