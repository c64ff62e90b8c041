import { useEffect, useState } from 'preact/hooks';
import { adminToken, setAdminToken } from './api';
import { Link, match, usePath } from './router';
import { TokenGate } from './pages/token-gate';
import { SystemsOfRecordPage } from './pages/systems-of-record';
import { CreateSystemOfRecordPage } from './pages/create-sor';
import { SystemOfRecordPage } from './pages/system-of-record';
import { EventLogPage } from './pages/event-log';
import { EventPage } from './pages/event';
import { ExplorerPage } from './pages/explorer';
import { NodePage } from './pages/node';

export function App() {
  const [token, setToken] = useState(adminToken());
  useEffect(() => {
    const update = () => setToken(adminToken());
    window.addEventListener('pushgraph-token', update);
    return () => window.removeEventListener('pushgraph-token', update);
  }, []);
  const path = usePath();
  const sorPart = /^\/sors\/([^/]+)/.exec(path)?.[1];
  const sorId = sorPart === undefined ? undefined : decodeURIComponent(sorPart);
  return (
    <>
      <header class="top">
        <Link to="/" class="brand">
          pushgraph
        </Link>
        {token && sorId && sorId !== 'new' && (
          <nav>
            <Link to={`/sors/${encodeURIComponent(sorId)}`}>Setup</Link>
            <Link to={`/sors/${encodeURIComponent(sorId)}/events`}>Event log</Link>
            <Link to={`/sors/${encodeURIComponent(sorId)}/explorer`}>Explorer</Link>
          </nav>
        )}
        {token && (
          <button type="button" class="small quiet" onClick={() => setAdminToken(null)}>
            Sign out
          </button>
        )}
      </header>
      <main>{token ? <Page path={path} /> : <TokenGate />}</main>
    </>
  );
}

function Page({ path }: { path: string }) {
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '/sors') return <SystemsOfRecordPage />;
  if (path === '/sors/new') return <CreateSystemOfRecordPage />;
  if ((params = match('/sors/:sorId', path))) return <SystemOfRecordPage sorId={params.sorId!} />;
  if ((params = match('/sors/:sorId/events', path))) return <EventLogPage sorId={params.sorId!} />;
  if ((params = match('/sors/:sorId/events/:eventId', path))) return <EventPage sorId={params.sorId!} eventId={params.eventId!} />;
  if ((params = match('/sors/:sorId/explorer', path))) return <ExplorerPage sorId={params.sorId!} />;
  if ((params = match('/sors/:sorId/explorer/:entity', path))) return <ExplorerPage sorId={params.sorId!} entity={params.entity} />;
  if ((params = match('/sors/:sorId/explorer/:entity/:nodeId', path))) {
    return <NodePage sorId={params.sorId!} entity={params.entity!} nodeId={params.nodeId!} />;
  }
  return (
    <div class="empty">
      <h3>No such page</h3>
      <p>
        <Link to="/">Back to the systems of record</Link>
      </p>
    </div>
  );
}
