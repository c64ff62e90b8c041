import { useState } from 'preact/hooks';
import { setAdminToken } from '../api';

/** Asks for the admin token once; it is kept in this browser's localStorage. */
export function TokenGate() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      class="card narrow"
      onSubmit={async (event) => {
        event.preventDefault();
        const response = await fetch('/api/v1/systems-of-record', { headers: { authorization: `Bearer ${token.trim()}` } });
        if (response.ok) setAdminToken(token.trim());
        else setError(response.status === 401 ? 'That is not the admin token of this service.' : `The service answered ${response.status}.`);
      }}
    >
      <h1>Sign in</h1>
      <p>
        Paste the admin token. The service printed it once, on its first start, in a line beginning with <code>admin token:</code>{' '}
        (or it is the <code>PUSHGRAPH_ADMIN_TOKEN</code> it runs with). This browser keeps it until you sign out.
      </p>
      <label>
        Admin token
        <input name="adminToken" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit">Sign in</button>
    </form>
  );
}
