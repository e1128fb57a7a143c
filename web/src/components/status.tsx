/** Loading and failure states: never a blank page. A 403 says plainly that the role may not see it. */
import { ApiError } from '../api.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function Failure({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <div role="alert" className="notice notice-forbidden">
        <h2>Your role may not see this</h2>
        <p>
          The hub refused to show {what} to your role. {error.message}
        </p>
        <p>If you need this, ask an administrator for a role that includes it.</p>
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div role="alert" className="notice notice-error">
        <h2>Not found</h2>
        <p>{error.message}</p>
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="notice notice-error">
      <h2>Could not load {what}</h2>
      <p>{message}</p>
    </div>
  );
}

/** Shows one of: loading, failure, or the children with the data. */
export function Loaded<T>({ state, what, children }: { state: { data: T | null; error: unknown; loading: boolean }; what: string; children: (data: T) => React.ReactNode }) {
  if (state.error) return <Failure error={state.error} what={what} />;
  if (state.data === null) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

/** A refused or failed action, inline next to the buttons. */
export function ActionFailure({ error }: { error: unknown }) {
  const forbidden = error instanceof ApiError && error.status === 403;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className={`notice ${forbidden ? 'notice-forbidden' : 'notice-error'}`}>
      {forbidden ? `Your role may not do this: ${message}` : message}
    </p>
  );
}
