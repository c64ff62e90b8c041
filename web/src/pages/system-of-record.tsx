import { useState } from 'preact/hooks';
import { api, enc, runWithProgress, type Progress, type PushToken, type SystemOfRecord } from '../api';
import { CopyButton, CopyLine, Loading, messageOf, ProgressBar, time, useLoad } from '../components/common';
import { Link, navigate } from '../router';

export function SystemOfRecordPage({ sorId }: { sorId: string }) {
  const sor = useLoad(() => api<SystemOfRecord>(`/systems-of-record/${enc(sorId)}`), [sorId]);
  const justCreated = new URLSearchParams(location.search).has('created');
  return (
    <Loading state={sor}>
      {(record) => (
        <section>
          <div class="heading">
            <h1>{record.displayName}</h1>
            <span class="badge">{record.pushType === 'SCIM2.0' ? 'SCIM 2.0' : 'SCIM events'}</span>
          </div>
          {justCreated && <p class="notice">Created. Next: create a push token below, then push with the curl line.</p>}
          <Endpoints sor={record} />
          <Tokens sorId={sorId} />
          <div class="card">
            <h2>Model</h2>
            <p class="muted">
              Entities: {record.entities.map((e) => `${e.id}${e.parent ? ` (child of ${e.parent})` : ''}`).join(', ')}
              {record.relationships.length > 0 && <> · Relationships: {record.relationships.map((r) => r.name).join(', ')}</>}
            </p>
            <p class="links">
              <Link to={`/sors/${enc(sorId)}/events`}>Event log</Link>
              <Link to={`/sors/${enc(sorId)}/explorer`}>Explorer</Link>
            </p>
          </div>
          <DangerZone sor={record} />
        </section>
      )}
    </Loading>
  );
}

function Endpoints({ sor }: { sor: SystemOfRecord }) {
  return (
    <div class="card">
      <h2>Endpoint</h2>
      {sor.endpoints.events && (
        <>
          <p>SET transmitters POST signed SCIM events here, with a push token as Bearer:</p>
          <CopyLine text={sor.endpoints.events} testId="endpoint-url" />
        </>
      )}
      {sor.endpoints.scim && (
        <>
          <p>SCIM 2.0 clients (Okta, Entra ID, …) use this base URL, with a push token as Bearer:</p>
          <CopyLine text={sor.endpoints.scim} testId="endpoint-url" />
        </>
      )}
      {sor.exampleCurl && (
        <>
          <p>Try it (set PUSH_TOKEN{sor.endpoints.events ? ' and SET' : ''} first):</p>
          <CopyLine text={sor.exampleCurl} testId="example-curl" />
        </>
      )}
      <p class="muted small-text">SoR id: {sor.id}</p>
    </div>
  );
}

function Tokens({ sorId }: { sorId: string }) {
  const tokens = useLoad(() => api<{ items: PushToken[] }>(`/systems-of-record/${enc(sorId)}/tokens`), [sorId]);
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<{ id: string; token: string }>();
  const [error, setError] = useState<string>();
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      setCreated(await api(`/systems-of-record/${enc(sorId)}/tokens`, { method: 'POST', body: description ? { description } : {} }));
      setDescription('');
      tokens.reload();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const revoke = async (id: string) => {
    if (!confirm('Revoke this token? Senders using it are refused at once.')) return;
    try {
      await api(`/systems-of-record/${enc(sorId)}/tokens/${enc(id)}`, { method: 'DELETE' });
      // The token shown once is of no use any more: showing it with its Copy button would invite pasting it.
      setCreated((shown) => (shown?.id === id ? undefined : shown));
      tokens.reload();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <div class="card">
      <h2>Push tokens</h2>
      {created && (
        <div class="notice" data-testid="new-token">
          <p>
            <strong>Copy this token now: it is shown only once.</strong>
          </p>
          <div class="copy-line">
            <code data-testid="token-value">{created.token}</code>
            <CopyButton text={created.token} />
          </div>
        </div>
      )}
      <form class="inline" onSubmit={create}>
        <input name="tokenDescription" placeholder="What it is for (optional)" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        <button type="submit">Create token</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <Loading state={tokens}>
        {({ items }) =>
          items.length === 0 ? (
            <p class="muted">No token yet: senders need one. Create it above.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Token</th>
                    <th>Status</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((token) => (
                    <tr key={token.id}>
                      <td>
                        <code>{token.id}</code> {token.description}
                      </td>
                      <td>{token.status}</td>
                      <td>{time(token.createdAt)}</td>
                      <td>{time(token.lastUsedAt) || 'never'}</td>
                      <td>
                        {token.status !== 'revoked' && (
                          <button type="button" class="small quiet" onClick={() => revoke(token.id)}>
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loading>
    </div>
  );
}

function DangerZone({ sor }: { sor: SystemOfRecord }) {
  const [progress, setProgress] = useState<Progress>();
  const [message, setMessage] = useState<string>();
  const clear = async () => {
    const scimToo = sor.pushType === 'SCIM2.0' ? ' and its SCIM users and groups' : '';
    if (!confirm(`Delete every node${scimToo} of ${sor.displayName}? The template, tokens and event log stay.`)) return;
    setMessage(undefined);
    try {
      const result = await runWithProgress<{ deleted: number; deletedScimResources?: number }>(`/systems-of-record/${enc(sor.id)}/nodes`, 'DELETE', setProgress);
      const resources = result.deletedScimResources === undefined ? '' : ` and ${result.deletedScimResources} SCIM users and groups`;
      setMessage(`Deleted ${result.deleted} nodes with their children${resources}.`);
    } catch (failure) {
      setMessage(messageOf(failure));
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${sor.displayName} with its tokens, graph and event log?`)) return;
    await api(`/systems-of-record/${enc(sor.id)}`, { method: 'DELETE' });
    navigate('/');
  };
  return (
    <div class="card danger">
      <h2>Danger zone</h2>
      <div class="inline">
        <button type="button" class="quiet" onClick={clear}>
          Delete all nodes
        </button>
        <button type="button" class="quiet" onClick={remove}>
          Delete this system of record
        </button>
      </div>
      <ProgressBar progress={progress} label={progress?.operation === 'clear-scim-resources' ? 'Deleting SCIM resources' : 'Deleting nodes'} />
      {message && <p>{message}</p>}
    </div>
  );
}
