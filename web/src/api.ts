/**
 * The hub's HTTP API as the console calls it: JSON in and out, the session's bearer token on
 * every call, and errors turned into ApiError with the OperationOutcome's diagnostics, so a
 * page can say "your role may not see this" on a 403 instead of showing nothing.
 */
import { clearSession, currentToken } from './session.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface OperationOutcome {
  issue?: { diagnostics?: string }[];
}

async function failure(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as OperationOutcome;
    message = body.issue?.[0]?.diagnostics ?? message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message);
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  const token = currentToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (!response.ok) {
    const error = await failure(response);
    // An expired or revoked token: back to sign-in rather than a page of 401s.
    if (response.status === 401 && token && !path.startsWith('/auth/login')) clearSession('Your session has ended; please sign in again.');
    throw error;
  }
  return (await response.json()) as T;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}
