/** The SCIM event kinds of RFC 9967 that change the graph, plus those only logged. */
export type ScimEventKind =
  | 'create:full' | 'create:notice' | 'put:full' | 'put:notice' | 'patch:full' | 'patch:notice'
  | 'delete' | 'activate' | 'deactivate' | 'feed:add' | 'feed:remove' | 'misc:asyncresp';

export const SCIM_EVENT_PREFIX = 'urn:ietf:params:scim:event:';

const KINDS: Record<string, ScimEventKind> = {
  'prov:create:full': 'create:full',
  'prov:create:notice': 'create:notice',
  'prov:put:full': 'put:full',
  'prov:put:notice': 'put:notice',
  'prov:patch:full': 'patch:full',
  'prov:patch:notice': 'patch:notice',
  'prov:delete': 'delete',
  'prov:activate': 'activate',
  'prov:deactivate': 'deactivate',
  'feed:add': 'feed:add',
  'feed:remove': 'feed:remove',
  'misc:asyncresp': 'misc:asyncresp',
};

/** The provisioning kinds (`urn:ietf:params:scim:event:prov:…`), as senders name them without the prefix. */
export const PROVISIONING_KINDS: readonly ScimEventKind[] = Object.entries(KINDS)
  .filter(([suffix]) => suffix.startsWith('prov:'))
  .map(([, kind]) => kind);

/**
 * RFC 9967 registers lower-case URIs; drafts and many senders (SGNL's docs too) write
 * `urn:ietf:params:SCIM:event:…`, so the URI is matched without regard to case.
 */
export function scimEventKind(uri: string): ScimEventKind | undefined {
  const lower = uri.toLowerCase();
  if (!lower.startsWith(SCIM_EVENT_PREFIX)) return undefined;
  return KINDS[lower.slice(SCIM_EVENT_PREFIX.length)];
}
