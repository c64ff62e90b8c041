const TOKEN_KEY = 'pushgraph.adminToken';

export function adminToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setAdminToken(token: string | null): void {
  if (token === null) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token);
  window.dispatchEvent(new Event('pushgraph-token'));
}

export interface Problem {
  title: string;
  status: number;
  detail?: string;
  errors?: { place: string; message: string }[];
  position?: number;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${adminToken() ?? ''}`, ...extra };
}

/** A call to the admin API; a 401 forgets the token so the console asks for it again. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; yaml?: string } = {}): Promise<T> {
  const body = init.yaml ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const contentType = init.yaml !== undefined ? 'application/yaml' : init.body !== undefined ? 'application/json' : undefined;
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: headers(contentType ? { 'content-type': contentType } : {}),
    body,
  });
  if (response.status === 401) setAdminToken(null);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const value = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) throw new ApiError((value as Problem | undefined) ?? { title: response.statusText, status: response.status });
  return value as T;
}

export interface Progress {
  operation: string;
  done: number;
  total?: number;
}

/** A long operation: its JSON-lines answer is read as it arrives, each progress line passed on. */
export async function runWithProgress<T>(path: string, method: string, onProgress: (progress: Progress) => void): Promise<T> {
  const response = await fetch(`/api/v1${path}`, { method, headers: headers({ accept: 'application/x-ndjson' }) });
  if (!response.ok || !response.body) {
    const problem = (await response.json().catch(() => undefined)) as Problem | undefined;
    throw new ApiError(problem ?? { title: response.statusText, status: response.status });
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const message = JSON.parse(line) as { result?: T; error?: string } & Partial<Progress>;
      if (message.error) throw new ApiError({ title: 'Failed', status: 500, detail: message.error });
      if ('result' in message) return message.result as T;
      onProgress(message as Progress);
    }
  }
  throw new ApiError({ title: 'Interrupted', status: 500, detail: 'the operation ended without a result; reload to see where it got' });
}

export interface SystemOfRecord {
  id: string;
  displayName: string;
  /** Empty when the SoR has none. */
  description: string;
  pushType: string;
  entities: { id: string; displayName?: string; parent?: string; attributes: { name: string; type: string }[] }[];
  relationships: { id: string; name: string; kind: string }[];
  endpoints: { scim?: string; events?: string };
  exampleCurl?: string;
  createdAt: string;
  template?: string;
}

export interface PushToken {
  id: string;
  description?: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
  status: string;
}

export interface GraphOperation {
  op: string;
  entity: string;
  id: string;
  children?: number;
  attributes?: string[];
}

export interface PushEvent {
  id: string;
  sequence: number;
  receivedAt: string;
  protocol: string;
  method: string;
  path: string;
  remoteAddress?: string;
  authentication: { bearer: string; tokenId?: string; signature?: string; reason?: string };
  status: string;
  httpStatus: number;
  errorCode?: string;
  errorDescription?: string;
  eventType?: string;
  subject?: string;
  jti?: string;
  raw?: string;
  decoded?: { header?: unknown; claims?: unknown } | unknown;
  extracted?: unknown;
  operations?: GraphOperation[];
  appliedAt?: string;
  attempts: number;
  /** What the receiver changed or let through, such as write-only values redacted from a SET's payload. */
  notes?: string[];
}

export interface NodeLink {
  entity: string;
  id: string;
  label?: string;
}

export interface GraphNode {
  entity: string;
  id: string;
  attributes: Record<string, unknown>;
  parent?: NodeLink;
  children?: Record<string, GraphNode[]>;
  relationships?: {
    key: string;
    name: string;
    displayName?: string;
    kind: string;
    direction: string;
    toEntity: string;
    total: number;
    nodes: NodeLink[];
  }[];
  createdAt: string;
  updatedAt: string;
  lastEventId?: string;
}

export interface Neighbourhood {
  nodes: (NodeLink & { label: string; depth: number })[];
  edges: { from: NodeLink; to: NodeLink; relationship: string; label: string }[];
  truncated: boolean;
}

export interface EntityType {
  id: string;
  displayName?: string;
  parent?: string;
  count: number;
  indexedAttributes: string[];
  attributes: string[];
}

export const enc = encodeURIComponent;
