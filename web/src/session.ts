/**
 * The signed-in user: the token in sessionStorage (gone when the tab closes) and the
 * /auth/me answer (role, permissions, pages). Subscribers re-render on sign-in and sign-out.
 */
import { useSyncExternalStore } from 'react';

export interface Me {
  username: string;
  role: string;
  name: string;
  permissions: Record<string, string[]>;
  pages: string[];
}

export interface Session {
  token: string;
  me: Me | null;
  /** Why the last session ended, shown on the sign-in page. */
  notice?: string;
}

const key = 'longitude.token';
const listeners = new Set<() => void>();
let state: Session | null = readStored();

function readStored(): Session | null {
  const token = sessionStorage.getItem(key);
  return token ? { token, me: null } : null;
}

function publish(next: Session | null): void {
  state = next;
  for (const listener of listeners) listener();
}

export function currentToken(): string | null {
  return state?.token ?? null;
}

export function startSession(token: string, me: Me): void {
  sessionStorage.setItem(key, token);
  publish({ token, me });
}

export function setMe(me: Me): void {
  if (state) publish({ ...state, me });
}

let lastNotice: string | undefined;
export function clearSession(notice?: string): void {
  sessionStorage.removeItem(key);
  lastNotice = notice;
  publish(null);
}

export function takeNotice(): string | undefined {
  const notice = lastNotice;
  lastNotice = undefined;
  return notice;
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

export function mayDo(me: Me | null | undefined, resourceType: string, action: string): boolean {
  return me?.permissions[resourceType]?.includes(action) ?? false;
}
