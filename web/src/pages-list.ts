/** The console's pages: path, nav label and the `/auth/me` page name that lists it. */
export interface PageEntry {
  page: string;
  path: string;
  label: string;
}

export const navPages: readonly PageEntry[] = [
  { page: 'search', path: '/search', label: 'Find a person' },
  { page: 'work-queue', path: '/work-queue', label: 'Work queue' },
  { page: 'identity-review', path: '/identity-review', label: 'Identity review' },
  { page: 'interfaces', path: '/interfaces', label: 'Interfaces' },
  { page: 'quality', path: '/quality', label: 'Data quality' },
  { page: 'audit', path: '/audit', label: 'Audit trail' },
];

export function homePath(pages: readonly string[]): string {
  return navPages.find((p) => pages.includes(p.page))?.path ?? '/welcome';
}
