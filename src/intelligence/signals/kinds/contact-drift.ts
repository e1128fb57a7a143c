/**
 * Contact drift: a silo holds an outdated phone, email or address compared with the person's
 * current value. Names the silo, the outdated value's date, and since when it has been out of
 * date (the date of the current value).
 *
 * The comparison is `contactDrift(person, current)`: `current` is the person's current
 * contact, `mostRecentContact(person)` unless `services.currentContact` gives one.
 *
 * Which value is current, per channel, where the silos disagree:
 * 1. not one a source records as ended (`use: old`, or a period that ended): the clinic that
 *    keeps "1 Old Road" as its old address says any silo still holding it is behind;
 * 2. for the address and the home phone, which change together when a household moves, not
 *    one from a record still holding an ended address: it missed the move;
 * 3. then the most recently dated, each value dated by when its source asserted it: the
 *    extension `urn:longitude:contact-verified` (valueDateTime, where a source confirmed it with
 *    the person), `period.start`, the date the source sent or updated the record
 *    (RecordEntry.asserted: MSH-7 of the HL7 message that wrote it, a CRM row's `date_updated`),
 *    the record's last recorded change (the end of its own old values); values with none of
 *    these (an enrollment extract's rows) rank after dated ones. Never the time a value was loaded:
 *    every silo of a first import is loaded the same afternoon, and its order decided which
 *    silo looked current, so a move the payer had not heard of was flagged backwards.
 *
 * Golden Patients (identity's summary of the sources) are not a silo: their values are copies
 * of a source's and their date the time they were built, so they are neither compared nor
 * taken as current. Values marked `use: old` or with an ended period are history, not held. A
 * silo with no value for a channel is not drifting (missing is not outdated); a silo holding
 * several values of a channel (a v2 feed sending a mobile as a second home phone) drifts only
 * when none of them is the current one.
 */
import type { Address, ContactPoint, Patient } from '@medplum/fhirtypes';
import { isGoldenPatient } from '../../../identity/from-fhir-patient.ts';
import { loadSurvivorshipRules, type GoldenElement, type SurvivorshipRules } from '../../../identity/survivorship.ts';
import { entriesOf, evidenceOf, referenceOf, type PersonRecord, type RecordEntry } from '../person-record.ts';
import type { Finding, SignalContext, SignalKind } from '../signal.ts';

const version = '1.1.0';
export const CONTACT_VERIFIED_EXTENSION = 'urn:longitude:contact-verified';
/**
 * A home (or unlabelled) phone and a mobile phone are different channels: a person who moves
 * changes the home number and keeps the mobile, so each is compared only with its own kind
 * (ContactPoint.use, http://hl7.org/fhir/R4/valueset-contact-point-use.html). Compared as one,
 * every silo holding the home number looked outdated next to a golden record holding the
 * mobile (half of the contact-drift signals on the simulated organization, none of them real).
 */
export const contactChannels = ['phone', 'mobile', 'email', 'address'] as const;
export type ContactChannel = (typeof contactChannels)[number];

export interface ContactValue {
  display: string;
  /** The form compared: digits of a phone, lower-case email, normalized address. */
  normalized: string;
  source: string;
  /** `Patient/id` holding it. */
  reference: string;
  /** YYYY-MM-DD… the value's date (verified, period start, asserted by its source); '' when undated. */
  since: string;
}

export type CurrentContact = Partial<Record<ContactChannel, ContactValue>>;

/** The channel of a telecom or address, undefined for what contact drift does not compare. */
function channelOf(element: ContactPoint | Address, kind: 'telecom' | 'address'): ContactChannel | undefined {
  if (kind === 'address') return (element as Address).use === 'billing' ? undefined : 'address';
  const point = element as ContactPoint;
  if (point.system === 'phone') return point.use === 'mobile' ? 'mobile' : 'phone';
  return point.system === 'email' ? 'email' : undefined;
}

function normalizedOf(element: ContactPoint | Address, channel: ContactChannel): string {
  if (channel === 'address') return normalizeAddress(element as Address);
  const value = (element as ContactPoint).value ?? '';
  return channel === 'email' ? value.trim().toLowerCase() : normalizePhone(value);
}

function isHistory(element: ContactPoint | Address, asOf: Date): boolean {
  if (element.use === 'old') return true;
  const end = element.period?.end;
  return !!end && new Date(end) <= asOf;
}

/**
 * The day the record last recorded a change of the person's contact details: the latest end of
 * its own old values (the clinic that moved "1 Old Road" to `use: old` on 2 August has held the
 * new address, and the number that came with it, since then). '' when it kept none.
 */
function changedOn(entry: RecordEntry<Patient>, asOf: Date): string {
  const ends = elementsOf(entry.resource)
    .filter(({ element, kind }) => channelOf(element, kind) !== undefined && isHistory(element, asOf))
    .flatMap(({ element }) => element.period?.end ?? []);
  return ends.sort().at(-1) ?? '';
}

function elementsOf(patient: Patient): { element: ContactPoint | Address; kind: 'telecom' | 'address' }[] {
  return [...(patient.telecom ?? []).map((element) => ({ element, kind: 'telecom' as const })), ...(patient.address ?? []).map((element) => ({ element, kind: 'address' as const }))];
}

/** When the source said the value: verified, period start, the record's assertion, the record's last recorded change. */
function datedAt(element: ContactPoint | Address, entry: RecordEntry<Patient>, asOf: Date): string {
  const verified = element.extension?.find((e) => e.url === CONTACT_VERIFIED_EXTENSION)?.valueDateTime;
  return verified ?? element.period?.start ?? entry.asserted ?? unfedLastUpdated(entry.resource) ?? changedOn(entry, asOf);
}

/**
 * A Patient written directly (not from a feed: no `urn:longitude:channel/` in meta.source) was
 * asserted when it was stored; a fed one's lastUpdated is only when it was loaded.
 */
function unfedLastUpdated(patient: Patient): string | undefined {
  return patient.meta?.source?.startsWith('urn:longitude:channel/') ? undefined : patient.meta?.lastUpdated;
}

export function normalizePhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  // A US number with its country code is the same number.
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

export function normalizeAddress(address: Address): string {
  const parts = [...(address.line ?? []), address.city ?? '', address.state ?? '', (address.postalCode ?? '').slice(0, 5)];
  return parts.join(' ').toLowerCase().replace(/[.,#]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The values a source Patient holds now, per channel, newest first. */
function heldValues(entry: RecordEntry<Patient>, asOf: Date): Record<ContactChannel, ContactValue[]> {
  const patient = entry.resource;
  const held: Record<ContactChannel, ContactValue[]> = { phone: [], mobile: [], email: [], address: [] };
  for (const { element, kind } of elementsOf(patient)) {
    const channel = channelOf(element, kind);
    if (!channel || isHistory(element, asOf)) continue;
    const normalized = normalizedOf(element, channel);
    if (!normalized) continue;
    const display = kind === 'address' ? ((element as Address).text ?? normalized) : ((element as ContactPoint).value ?? normalized);
    held[channel].push({ display, normalized, source: entry.source, reference: referenceOf(patient), since: datedAt(element, entry, asOf) });
  }
  for (const channel of contactChannels) held[channel].sort((a, b) => b.since.localeCompare(a.since));
  return held;
}

/** The values any of the person's sources records as ended, per channel: no longer current. */
function endedValues(sources: readonly RecordEntry<Patient>[], asOf: Date): Record<ContactChannel, Set<string>> {
  const ended: Record<ContactChannel, Set<string>> = { phone: new Set(), mobile: new Set(), email: new Set(), address: new Set() };
  for (const entry of sources) {
    for (const { element, kind } of elementsOf(entry.resource)) {
      const channel = channelOf(element, kind);
      if (channel && isHistory(element, asOf)) ended[channel].add(normalizedOf(element, channel));
    }
  }
  return ended;
}

/** The person's source Patients: every Patient of the record but identity's golden summaries. */
function sourcePatients(person: PersonRecord): RecordEntry<Patient>[] {
  return entriesOf<Patient>(person, 'Patient').filter((e) => !isGoldenPatient(e.resource));
}

/**
 * The channels that move with the residence: the address, and the home phone (a landline's
 * number belongs to the line at the address; a mobile and an email go where the person goes).
 */
const residenceChannels: ReadonlySet<ContactChannel> = new Set(['address', 'phone']);

/**
 * The current value per channel among the person's source Patients: not recorded as ended by
 * any of them; for the residence's channels, from a record that has not missed a move (one
 * still holding an address another source records as ended also has the home phone from
 * before it); then the most recently dated (undated last); ties to the first record.
 */
export function mostRecentContact(person: PersonRecord, asOf: Date = new Date()): CurrentContact {
  const sources = sourcePatients(person);
  const ended = endedValues(sources, asOf);
  const candidates = sources.map((entry) => {
    const held = heldValues(entry, asOf);
    return { held, behind: held.address.some((v) => ended.address.has(v.normalized)) };
  });
  const rank = (channel: ContactChannel, behind: boolean) => (residenceChannels.has(channel) && behind ? 1 : 0);
  const current: CurrentContact = {};
  for (const channel of contactChannels) {
    let best: { value: ContactValue; rank: number; authority: number } | undefined;
    for (const { held, behind } of candidates) {
      const value = held[channel].find((v) => !ended[channel].has(v.normalized));
      if (!value) continue;
      const r = rank(channel, behind);
      const authority = authorityOf(value.source, channel);
      const better = !best || r < best.rank || (r === best.rank && (value.since > best.value.since || (value.since === best.value.since && authority < best.authority)));
      if (better) best = { value, rank: r, authority };
    }
    if (best) current[channel] = best.value;
  }
  return current;
}

let rules: SurvivorshipRules | undefined;
const goldenElementOf: Record<ContactChannel, GoldenElement> = { phone: 'phone', mobile: 'phone', email: 'email', address: 'address' };

/**
 * Where nothing dates the disagreeing values (two extracts without dates), the organization's
 * ranking of sources for that element decides, as it does for the golden record
 * (identity/survivorship.json `authority`): lower is more trusted, unlisted sources last.
 */
function authorityOf(source: string, channel: ContactChannel): number {
  rules ??= loadSurvivorshipRules();
  const ranking = rules.elements[goldenElementOf[channel]]?.authority ?? [];
  const lower = source.toLowerCase();
  const kind = Object.entries(rules.sourceKinds).find(([, needles]) => needles.some((n) => lower.includes(n.toLowerCase())))?.[0];
  const at = kind === undefined ? -1 : ranking.indexOf(kind);
  return at < 0 ? ranking.length : at;
}

const channelName: Record<ContactChannel, string> = { phone: 'phone', mobile: 'mobile phone', email: 'email', address: 'address' };

/** Findings for every source Patient none of whose values of a channel is the current one. */
export function contactDrift(person: PersonRecord, current: CurrentContact, asOf: Date): Finding[] {
  const findings: Finding[] = [];
  for (const entry of sourcePatients(person)) {
    const values = heldValues(entry, asOf);
    for (const channel of contactChannels) {
      const held = values[channel][0];
      const now = current[channel];
      if (!held || !now || values[channel].some((v) => v.normalized === now.normalized)) continue;
      const since = now.since.slice(0, 10);
      findings.push({
        kind: 'contact-drift',
        key: `${channel}|${referenceOf(entry.resource)}`,
        priority: channel === 'address' ? 'low' : 'moderate',
        title: `${entry.source} holds an outdated ${channelName[channel]} (out of date since ${since || 'an unknown date'})`,
        explanation:
          `${entry.source} has ${channel} "${held.display}" (dated ${held.since.slice(0, 10) || 'unknown'}); ` +
          `the current ${channel} is "${now.display}", from ${now.source}, dated ${since || 'unknown'}. ` +
          `Outreach through ${entry.source} would use the old ${channel}.`,
        evidence: [evidenceOf(entry, `${channel} ${held.display}`), { reference: now.reference, sourceSystem: now.source, display: `current ${channel} ${now.display}` }],
        rule: { id: `contact-drift/${channel}`, version },
        actions: [{ code: 'update-contact', display: `Update the ${channel} in ${entry.source} to "${now.display}"` }],
      });
    }
  }
  return findings;
}

function detect(person: PersonRecord, context: SignalContext): Finding[] {
  const current = context.services.currentContact?.(person) ?? mostRecentContact(person, context.asOf);
  return contactDrift(person, current, context.asOf);
}

export const contactDriftKind: SignalKind = {
  id: 'contact-drift',
  version,
  description: "a silo holds an outdated phone, address or email compared with the person's current verified value",
  detect,
};
