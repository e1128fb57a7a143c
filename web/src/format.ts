/** Display helpers: silo names, FHIR datatypes as text, dates. Pure functions. */

/** Known silos of the organization, by a fragment that appears in their system URIs or channel names. */
const silos: [RegExp, string][] = [
  [/golden|identity:person|mpi/i, 'Golden record'],
  [/ehr[-_]?clinic|clinic/i, 'Clinic EHR'],
  [/hosp|genhosp/i, 'Hospital'],
  [/payer|member|claims?\b|enrollment/i, 'Payer'],
  [/crm|contact/i, 'CRM'],
  [/reflab|labs?\b|reference[-_ ]lab/i, 'Reference lab'],
];

export function siloLabel(source: string | undefined | null): string {
  if (!source) return 'Unknown';
  for (const [pattern, label] of silos) if (pattern.test(source)) return label;
  const tail = source.split(/[/:|#]/).filter(Boolean).at(-1);
  return tail ?? source;
}

export interface HumanName {
  text?: string;
  family?: string;
  given?: string[];
  prefix?: string[];
  suffix?: string[];
  use?: string;
}
export interface ContactPoint {
  system?: string;
  value?: string;
  use?: string;
}
export interface Address {
  text?: string;
  line?: string[];
  city?: string;
  state?: string;
  postalCode?: string;
  use?: string;
}
export interface Identifier {
  system?: string;
  value?: string;
  type?: { text?: string; coding?: { code?: string; display?: string }[] };
}

export function nameText(name: HumanName | undefined): string {
  if (!name) return '';
  if (name.text) return name.text;
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])].filter(Boolean).join(' ');
}

export function addressText(address: Address | undefined): string {
  if (!address) return '';
  if (address.text) return address.text;
  return [...(address.line ?? []), address.city, [address.state, address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

export function telecomText(t: ContactPoint | undefined): string {
  if (!t?.value) return '';
  return t.use ? `${t.value} (${t.use})` : t.value;
}

export function formatDate(value: string | undefined | null): string {
  if (!value) return '—';
  // Dates stay as written (YYYY-MM-DD is unambiguous); instants get a readable local time.
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function dayOf(value: string | undefined): string {
  return value ? value.slice(0, 10) : '';
}

export function identifierLabel(identifier: Identifier): string {
  const type = identifier.type?.text ?? identifier.type?.coding?.[0]?.display ?? identifier.type?.coding?.[0]?.code;
  if (type) return type;
  const system = identifier.system ?? '';
  if (/mrn|authority/i.test(system)) return 'MRN';
  if (/member/i.test(system)) return 'Member id';
  if (isSsn(system)) return 'SSN';
  if (/contact|crm/i.test(system)) return 'Contact id';
  return system.split(/[/:]/).filter(Boolean).at(-1) ?? 'Identifier';
}

export function titleCase(text: string): string {
  return text.replace(/(^|[-\s])([a-z])/g, (_m, sep: string, ch: string) => `${sep === '-' ? ' ' : sep}${ch.toUpperCase()}`);
}

/** The hub's own person identifier, not a silo's. */
export function isPersonId(system: string | undefined): boolean {
  return system === 'urn:longitude:identity:person';
}

export function isSsn(system: string | undefined): boolean {
  return /us-ssn|2\.16\.840\.1\.113883\.4\.1$/i.test(system ?? '');
}

/** SSNs show their last four digits only: enough to tell people apart, minimum necessary to show. */
export function displayValue(identifier: Identifier): string {
  const value = identifier.value ?? '';
  return isSsn(identifier.system) ? `•••-••-${value.replace(/\D/g, '').slice(-4)}` : value;
}

/** `user:demo:care.manager` → `care.manager`; "you" when it is the signed-in user. */
export function assigneeText(assignee: string, username?: string): string {
  const who = assignee.replace(/^user:/, '').replace(/^demo:/, '');
  return username !== undefined && who === username ? 'you' : who;
}
