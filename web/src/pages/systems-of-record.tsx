import { api, type SystemOfRecord } from '../api';
import { Empty, Loading, time, useLoad } from '../components/common';
import { Link } from '../router';

export function SystemsOfRecordPage() {
  const state = useLoad(() => api<{ items: SystemOfRecord[] }>('/systems-of-record'), []);
  return (
    <section>
      <div class="heading">
        <h1>Systems of record</h1>
        <Link to="/sors/new" class="button">
          New system of record
        </Link>
      </div>
      <Loading state={state}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty title="No system of record yet">
              <p>
                A system of record is where one identity provider or tool pushes its Users and Groups. Start by creating one from an SGNL
                template: paste or upload it, and the console shows its endpoint and a ready curl line.
              </p>
              <Link to="/sors/new" class="button">
                Create the first system of record
              </Link>
            </Empty>
          ) : (
            <ul class="cards">
              {items.map((sor) => (
                <li class="card" key={sor.id}>
                  <h2>
                    <Link to={`/sors/${encodeURIComponent(sor.id)}`}>{sor.displayName}</Link>
                  </h2>
                  <p class="muted">
                    {sor.pushType === 'SCIM2.0' ? 'SCIM 2.0 API' : sor.pushType === 'SCIM' ? 'SCIM events (SETs)' : sor.pushType} · created{' '}
                    {time(sor.createdAt)}
                  </p>
                  <p class="muted small-text">{sor.entities.map((e) => e.id).join(', ')}</p>
                  <p class="links">
                    <Link to={`/sors/${encodeURIComponent(sor.id)}/events`}>Event log</Link>
                    <Link to={`/sors/${encodeURIComponent(sor.id)}/explorer`}>Explorer</Link>
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </section>
  );
}
