import { useState } from 'preact/hooks';
import { api, enc, type PushEvent } from '../api';
import { Json, Loading, messageOf, time, useLoad } from '../components/common';
import { Link } from '../router';
import { shortType } from './event-log';

export function EventPage({ sorId, eventId }: { sorId: string; eventId: string }) {
  const state = useLoad(() => api<PushEvent>(`/systems-of-record/${enc(sorId)}/events/${enc(eventId)}`), [sorId, eventId]);
  return (
    <Loading state={state}>
      {(event) => (
        <section>
          <p>
            <Link to={`/sors/${enc(sorId)}/events`}>← Event log</Link>
          </p>
          <div class="heading">
            <h1>{shortType(event.eventType) ?? 'Push request'}</h1>
            <span class={`status status-${event.status}`} data-testid="event-status">
              {event.status}
            </span>
          </div>
          {event.errorCode && (
            <p class="error" data-testid="event-error">
              <code>{event.errorCode}</code> {event.errorDescription}
            </p>
          )}
          {!event.errorCode && event.errorDescription && <p class="notice">{event.errorDescription}</p>}
          {event.status === 'failed' && <Retry sorId={sorId} eventId={eventId} onDone={state.reload} />}
          <div class="grid-2">
            <div class="card">
              <h2>Receipt</h2>
              <dl>
                <dt>Received</dt>
                <dd>{time(event.receivedAt)}</dd>
                <dt>Request</dt>
                <dd>
                  {event.method} {event.path} ({event.protocol === 'set' ? 'SET' : 'SCIM'}) → {event.httpStatus}
                </dd>
                <dt>From</dt>
                <dd>{event.remoteAddress ?? 'unknown'}</dd>
                {event.subject && (
                  <>
                    <dt>Subject</dt>
                    <dd>{event.subject}</dd>
                  </>
                )}
                {event.jti && (
                  <>
                    <dt>jti</dt>
                    <dd>{event.jti}</dd>
                  </>
                )}
                <Outcome event={event} />
              </dl>
            </div>
            <div class="card">
              <h2>Verification</h2>
              <ol class="steps" data-testid="verification-steps">
                <Step name="Bearer token" outcome={event.authentication.bearer} good={['valid']} detail={event.authentication.tokenId && `token ${event.authentication.tokenId}`} />
                <Step name="Signature" outcome={event.authentication.signature ?? 'not reached'} good={['verified', 'unsigned']} />
                <Step
                  name="Claims and template"
                  outcome={event.status === 'refused' && event.authentication.bearer === 'valid' ? (event.errorCode ?? 'refused') : event.status === 'refused' ? 'not reached' : 'passed'}
                  good={['passed']}
                />
                <Step name="Graph" outcome={event.status} good={['applied', 'ignored', 'duplicate']} />
              </ol>
              {event.authentication.reason && <p class="muted">Why: {event.authentication.reason}</p>}
            </div>
          </div>
          <Operations sorId={sorId} event={event} />
          {event.extracted !== undefined && (
            <div class="card">
              <h2>Extracted attributes</h2>
              <Json value={event.extracted} />
            </div>
          )}
          {isDecoded(event.decoded) && (
            <div class="grid-2">
              <div class="card">
                <h2>Header</h2>
                <Json value={event.decoded.header} />
              </div>
              <div class="card">
                <h2>Claims</h2>
                <Json value={event.decoded.claims} />
              </div>
            </div>
          )}
          {(event.raw || (event.notes?.length ?? 0) > 0) && (
            <div class="card">
              <h2>Raw {event.protocol === 'set' ? 'SET' : 'request'}</h2>
              {event.notes?.map((note, i) => (
                <p class="notice" key={i} data-testid="event-note">
                  {note}
                </p>
              ))}
              {event.raw && (
                <pre class="raw" data-testid="raw-set">{event.raw}</pre>
              )}
            </div>
          )}
        </section>
      )}
    </Loading>
  );
}

/** When the event was applied, or, for one that was not, its last attempt or why it never will be. */
function Outcome({ event }: { event: PushEvent }) {
  const [term, text] = outcomeOf(event);
  return (
    <>
      <dt>{term}</dt>
      <dd data-testid="event-outcome">{text}</dd>
    </>
  );
}

function outcomeOf(event: PushEvent): [string, string] {
  const attempts = event.attempts > 0 ? ` (attempts: ${event.attempts})` : '';
  switch (event.status) {
    case 'applied':
      return ['Applied', `${time(event.appliedAt)}${attempts}`];
    case 'failed':
      return ['Last attempt', `${time(event.appliedAt) || 'unknown'}${attempts}`];
    case 'accepted':
      return ['Applied', 'not yet: waiting in the inbox'];
    case 'refused':
      return ['Outcome', 'refused: never applied'];
    case 'duplicate':
      return ['Outcome', 'a SET with this jti was received before: not applied again'];
    default:
      return ['Outcome', `${event.status}: nothing changed in the graph`];
  }
}

function isDecoded(decoded: unknown): decoded is { header: unknown; claims: unknown } {
  return typeof decoded === 'object' && decoded !== null && 'claims' in decoded;
}

function Step({ name, outcome, good, detail }: { name: string; outcome: string; good: string[]; detail?: string | false }) {
  const cls = good.includes(outcome) ? 'ok' : outcome === 'not reached' || outcome === 'not-checked' || outcome === 'accepted' ? 'skip' : 'bad';
  return (
    <li class={`step step-${cls}`}>
      <strong>{name}</strong>: {outcome}
      {detail ? <span class="muted"> ({detail})</span> : null}
    </li>
  );
}

function Operations({ sorId, event }: { sorId: string; event: PushEvent }) {
  if (!event.operations || event.operations.length === 0) return null;
  return (
    <div class="card">
      <h2>Graph operations</h2>
      <ul>
        {event.operations.map((op, i) => (
          <li key={i}>
            {op.op}{' '}
            {op.op === 'delete' ? (
              `${op.entity} ${op.id}`
            ) : (
              <Link to={`/sors/${enc(sorId)}/explorer/${enc(op.entity)}/${enc(op.id)}`}>
                {op.entity} {op.id}
              </Link>
            )}
            {op.children !== undefined && ` with ${op.children} ${op.children === 1 ? 'child' : 'children'}`}
            {op.attributes && ` (${op.attributes.join(', ')})`}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Retry({ sorId, eventId, onDone }: { sorId: string; eventId: string; onDone: () => void }) {
  const [message, setMessage] = useState<string>();
  return (
    <p class="inline">
      <button
        type="button"
        onClick={async () => {
          try {
            await api(`/systems-of-record/${enc(sorId)}/events/${enc(eventId)}/retry`, { method: 'POST' });
            setMessage('Put back in the inbox; it is applied again in a moment.');
            setTimeout(onDone, 1000);
          } catch (failure) {
            setMessage(messageOf(failure));
          }
        }}
      >
        Retry
      </button>
      {message && <span class="muted">{message}</span>}
    </p>
  );
}
