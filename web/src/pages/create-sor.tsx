import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type SystemOfRecord } from '../api';
import { messageOf } from '../components/common';
import { navigate } from '../router';
import { placeProblems, type PlacedProblem } from './template-problems';

interface BuiltinTemplate {
  id: string;
  displayName: string;
  pushType: string;
}

/** Create a SoR by pasting or uploading a template; the validator's problems are shown at their lines. */
export function CreateSystemOfRecordPage() {
  const [templateText, setTemplateText] = useState('');
  const [verification, setVerification] = useState('');
  const [problems, setProblems] = useState<PlacedProblem[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [builtins, setBuiltins] = useState<BuiltinTemplate[]>([]);
  const [templateId, setTemplateId] = useState('');

  useEffect(() => {
    api<{ items: BuiltinTemplate[] }>('/templates').then(
      (list) => setBuiltins(list.items),
      () => setBuiltins([]),
    );
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setProblems([]);
    let body: Record<string, unknown>;
    try {
      body = {
        ...(templateId ? { templateId } : { template: templateText }),
        ...(verification.trim() ? { verification: JSON.parse(verification) as unknown } : {}),
      };
    } catch (parseError) {
      setError(`Verification settings are not valid JSON: ${messageOf(parseError)}`);
      return;
    }
    setBusy(true);
    try {
      const created = await api<SystemOfRecord>('/systems-of-record', { method: 'POST', body });
      navigate(`/sors/${encodeURIComponent(created.id)}?created=1`);
    } catch (failure) {
      setError(messageOf(failure));
      if (failure instanceof ApiError && failure.problem.errors) setProblems(placeProblems(templateText, failure.problem.errors));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="section" onSubmit={submit}>
      <h1>New system of record</h1>
      <p>
        Paste an SGNL-format template (YAML), or upload its file. Its <code>pushType</code> decides the endpoint: <code>SCIM</code> receives
        SCIM events (signed SETs), <code>SCIM2.0</code> the SCIM 2.0 API.
      </p>
      {builtins.length > 0 && (
        <label>
          Start from{' '}
          <select name="templateId" value={templateId} onChange={(e) => setTemplateId(e.currentTarget.value)}>
            <option value="">my own template (paste or upload it below)</option>
            {builtins.map((t) => (
              <option key={t.id} value={t.id}>
                built-in: {t.displayName} ({t.pushType === 'SCIM2.0' ? 'SCIM 2.0 API' : 'SCIM events'})
              </option>
            ))}
          </select>
        </label>
      )}
      {!templateId && (
        <>
          <label>
            Template file{' '}
            <input
              type="file"
              name="templateFile"
              accept=".yaml,.yml,text/yaml,application/yaml"
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                if (file) setTemplateText(await file.text());
              }}
            />
          </label>
          <label>
            Template
            <textarea name="template" rows={16} spellcheck={false} value={templateText} onInput={(e) => setTemplateText(e.currentTarget.value)} required />
          </label>
        </>
      )}
      <details>
        <summary>Verification settings (optional, JSON)</summary>
        <textarea
          name="verification"
          rows={5}
          spellcheck={false}
          placeholder='{"hmacSecrets": ["a-string-secret-at-least-256-bits-long"]}'
          value={verification}
          onInput={(e) => setVerification(e.currentTarget.value)}
        />
      </details>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {problems.length > 0 && <ProblemsInTemplate text={templateText} problems={problems} />}
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create'}
      </button>
    </form>
  );
}

function ProblemsInTemplate({ text, problems }: { text: string; problems: PlacedProblem[] }) {
  const lines = text.split('\n');
  const byLine = new Map<number, PlacedProblem[]>();
  for (const problem of problems) if (problem.line) byLine.set(problem.line, [...(byLine.get(problem.line) ?? []), problem]);
  const unplaced = problems.filter((problem) => !problem.line);
  const listing = useRef<HTMLPreElement>(null);
  useEffect(() => {
    // Scrolls the listing (not the page) to the first problem's line.
    const pre = listing.current;
    const first = pre?.querySelector<HTMLElement>('.bad-line');
    if (pre && first) pre.scrollTop = Math.max(0, first.offsetTop - pre.offsetTop - 40);
  }, [problems]);
  return (
    <div class="problems" data-testid="template-problems">
      <h2>
        {problems.length} problem{problems.length === 1 ? '' : 's'} in the template
      </h2>
      <ul>
        {problems.map((p) => (
          <li key={p.place + p.message}>
            <code>{p.place}</code>
            {p.line ? ` (line ${p.line})` : ''}: {p.message}
          </li>
        ))}
      </ul>
      <pre class="template-lines" ref={listing}>
        {lines.map((line, i) => (
          <div key={i} class={byLine.has(i + 1) ? 'bad-line' : undefined}>
            <span class="line-number">{i + 1}</span>
            {line}
            {byLine.get(i + 1)?.map((p) => (
              <div class="line-problem" key={p.place}>
                ↑ {p.place}: {p.message}
              </div>
            ))}
          </div>
        ))}
      </pre>
      {unplaced.length > 0 && <p class="muted">Problems not tied to a line are listed above.</p>}
    </div>
  );
}
