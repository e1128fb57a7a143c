/**
 * The console shell: skip link, header with the signed-in user, a nav of the pages the role
 * may open (from /auth/me; the hub still decides every request), and the routed page.
 */
import { useEffect } from 'react';
import { api } from './api.ts';
import { Loading } from './components/status.tsx';
import { homePath, navPages } from './pages-list.ts';
import { AuditPage } from './pages/audit.tsx';
import { IdentityReviewPage } from './pages/identity-review.tsx';
import { InterfacesPage } from './pages/interfaces.tsx';
import { LoginPage } from './pages/login.tsx';
import { NotFoundPage, WelcomePage } from './pages/misc.tsx';
import { PersonPage } from './pages/person.tsx';
import { QualityPage } from './pages/quality.tsx';
import { SearchPage } from './pages/search.tsx';
import { WorkQueuePage } from './pages/work-queue.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { clearSession, setMe, useSession, type Me } from './session.ts';

function routeFor(path: string, me: Me) {
  const person = match('/person/:id', path);
  if (person) return <PersonPage key={person.id} id={person.id!} me={me} />;
  switch (path) {
    case '/search':
      return <SearchPage />;
    case '/work-queue':
      return <WorkQueuePage me={me} />;
    case '/identity-review':
      return <IdentityReviewPage />;
    case '/interfaces':
      return <InterfacesPage me={me} />;
    case '/quality':
      return <QualityPage />;
    case '/audit':
      return <AuditPage />;
    case '/welcome':
      return <WelcomePage me={me} />;
    default:
      return <NotFoundPage />;
  }
}

function Shell({ me, path }: { me: Me; path: string }) {
  const section = '/' + (path.split('/')[1] ?? '');
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="top">
        <div className="brand">Longitude</div>
        <nav aria-label="Main">
          <ul>
            {navPages
              .filter((p) => me.pages.includes(p.page))
              .map((p) => (
                <li key={p.page}>
                  <Link to={p.path} aria-current={section === p.path ? 'page' : undefined}>
                    {p.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="user">
          <span>
            {me.name}
            {me.name.includes(me.role.replace('-', ' ')) ? null : <span className="muted-light"> ({me.role})</span>}
          </span>
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              clearSession('You have signed out.');
              navigate('/login');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {routeFor(path, me)}
      </main>
    </>
  );
}

export function App() {
  const session = useSession();
  const { path } = useLocation();
  const signedIn = session !== null;
  const me = session?.me ?? null;

  useEffect(() => {
    if (!signedIn && path !== '/login') {
      const back = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
      navigate(`/login${back}`, { replace: true });
    }
  }, [signedIn, path]);

  useEffect(() => {
    if (signedIn && me === null) {
      api<Me>('/auth/me').then(setMe, (error: unknown) => {
        if (!(error instanceof Error && 'status' in error && error.status === 401)) clearSession(`Could not load your profile: ${String(error)}`);
      });
    }
  }, [signedIn, me]);

  useEffect(() => {
    if (me && (path === '/' || path === '/login')) navigate(homePath(me.pages), { replace: true });
  }, [me, path]);

  if (!session) {
    return (
      <>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <main id="main" tabIndex={-1} className="login-main">
          {path === '/login' ? <LoginPage /> : <Loading what="sign-in" />}
        </main>
      </>
    );
  }
  if (!me)
    return (
      <main id="main">
        <Loading what="your profile" />
      </main>
    );
  return <Shell me={me} path={path} />;
}

