/**
 * Sign in: a username and password form, and on a demo hub one button per demo user (one per
 * role). The token goes to sessionStorage; /auth/me says what the role may open.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { Page } from '../components/page.tsx';
import { homePath } from '../pages-list.ts';
import { navigate } from '../router.tsx';
import { startSession, takeNotice, type Me } from '../session.ts';

interface DemoUser {
  username: string;
  role: string;
  name: string;
}

async function signIn(username: string, password: string): Promise<void> {
  const { token } = await api<{ token: string }>('/auth/login', { method: 'POST', body: { username, password } });
  const me = await fetch('/auth/me', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (!me.ok) throw new ApiError(me.status, 'signed in, but the hub did not return your profile');
  const profile = (await me.json()) as Me;
  startSession(token, profile);
  const next = new URLSearchParams(location.search).get('next');
  // Only same-origin console paths: never an open redirect.
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(profile.pages), { replace: true });
}

export function LoginPage() {
  const [notice] = useState(takeNotice);
  const [demoUsers, setDemoUsers] = useState<DemoUser[]>([]);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ users: DemoUser[] }>('/auth/demo-users').then(
      (r) => setDemoUsers(r.users),
      () => setDemoUsers([]),
    );
  }, []);

  async function attempt(user: string, pass: string) {
    setBusy(true);
    setError(null);
    try {
      await signIn(user, pass);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'Unknown user or wrong password.' : err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void attempt(username, password);
  }

  return (
    <div className="login">
      <Page title="Sign in" heading="Sign in to Longitude">
        <p className="muted">One trusted record per person across your organization's systems.</p>
        {notice ? (
          <p role="status" className="notice notice-info">
            {notice}
          </p>
        ) : null}
        {error ? (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        ) : null}
        <form onSubmit={submit} className="stack" aria-label="Sign in">
          <label>
            Username
            <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
        {demoUsers.length > 0 ? (
          <section aria-labelledby="demo-users" className="demo-users">
            <h2 id="demo-users">Demo users</h2>
            <p className="muted">Synthetic staff of the simulated organization, one per role (password “demo”).</p>
            <ul>
              {demoUsers.map((u) => (
                <li key={u.username}>
                  <button type="button" className="secondary" disabled={busy} onClick={() => void attempt(u.username, 'demo')}>
                    Sign in as {u.name}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </Page>
    </div>
  );
}
