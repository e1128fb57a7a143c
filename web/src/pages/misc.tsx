/** The pages with little in them: a role with no console pages, and an unknown path. */
import { Page } from '../components/page.tsx';
import { Link } from '../router.tsx';
import type { Me } from '../session.ts';

export function WelcomePage({ me }: { me: Me }) {
  return (
    <Page title="Welcome">
      <p>
        You are signed in as {me.name} with the role <strong>{me.role}</strong>. This role has no console pages; the hub decides what each role may see.
      </p>
    </Page>
  );
}

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is no console page at this address. <Link to="/">Go to your start page</Link>.
      </p>
    </Page>
  );
}
