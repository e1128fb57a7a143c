/**
 * Contact drift: a silo holds an outdated phone, email or address compared with the person's
 * current, verified value. Names the silo, the outdated value's date, and since when it has
 * been out of date (the date the current value was verified).
 *
 * The comparison is `contactDrift(person, current)`: `current` is the person's current
 * contact. Until identity's golden record exists it is `mostRecentContact(person)`, the most
 * recently verified value among the person's source Patients; the golden record plugs in
 * through `services.currentContact`.
 *
 * A value's date is, in order: the extension `urn:longitude:contact-verified` (valueDateTime,
 * set where a source confirmed it with the person), `period.start`, the Patient's
 * `meta.lastUpdated`. Values marked `use: old` or with an ended period are history, not held.
 * A silo with no value for a channel is not drifting (missing is not outdated).
 */
import type { Address, ContactPoint, Patient } from '@medplum/fhirtypes';
import { entriesOf, evidenceOf, referenceOf, type PersonRecord, type RecordEntry } from '../person-record.ts';
import type { Finding, SignalContext, SignalKind } from '../signal.ts';

const version = '1.0.0';
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
  /** YYYY-MM-DD… the value's date (verified, period start or last update). */
  since: string;
}

export type CurrentContact = Partial<Record<ContactChannel, ContactValue>>;

function verifiedAt(element: ContactPoint | Address, patient: Patient): string {
  const verified = element.extension?.find((e) => e.url === CONTACT_VERIFIED_EXTENSION)?.valueDateTime;
  return verified ?? element.period?.start ?? patient.meta?.lastUpdated ?? '';
}

function held(element: ContactPoint | Address, asOf: Date): boolean {
  if (element.use === 'old') return false;
  const end = element.period?.end;
  return !end || new Date(end) > asOf;
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

function valuesOf(entry: RecordEntry<Patient>, asOf: Date): Partial<Record<ContactChannel, ContactValue>> {
  const patient = entry.resource;
  const base = { source: entry.source, reference: referenceOf(patient) };
  const candidates: Record<ContactChannel, ContactValue[]> = { phone: [], mobile: [], email: [], address: [] };
  for (const telecom of patient.telecom ?? []) {
    if (!telecom.value || !held(telecom, asOf)) continue;
    if (telecom.system === 'phone') {
      candidates[telecom.use === 'mobile' ? 'mobile' : 'phone'].push({ ...base, display: telecom.value, normalized: normalizePhone(telecom.value), since: verifiedAt(telecom, patient) });
    }
    if (telecom.system === 'email') candidates.email.push({ ...base, display: telecom.value, normalized: telecom.value.trim().toLowerCase(), since: verifiedAt(telecom, patient) });
  }
  for (const address of patient.address ?? []) {
    if (!held(address, asOf) || address.use === 'billing') continue;
    const normalized = normalizeAddress(address);
    if (normalized) candidates.address.push({ ...base, display: address.text ?? normalized, normalized, since: verifiedAt(address, patient) });
  }
  const latest: Partial<Record<ContactChannel, ContactValue>> = {};
  for (const channel of contactChannels) {
    const best = candidates[channel].sort((a, b) => b.since.localeCompare(a.since))[0];
    if (best) latest[channel] = best;
  }
  return latest;
}

/** The most recently dated value per channel among the person's source Patients. */
export function mostRecentContact(person: PersonRecord, asOf: Date = new Date()): CurrentContact {
  const current: CurrentContact = {};
  for (const entry of entriesOf<Patient>(person, 'Patient')) {
    const values = valuesOf(entry, asOf);
    for (const channel of contactChannels) {
      const value = values[channel];
      if (value && (!current[channel] || value.since > current[channel].since)) current[channel] = value;
    }
  }
  return current;
}

const channelName: Record<ContactChannel, string> = { phone: 'phone', mobile: 'mobile phone', email: 'email', address: 'address' };

/** Findings for every source Patient whose held value differs from the current one. */
export function contactDrift(person: PersonRecord, current: CurrentContact, asOf: Date): Finding[] {
  const findings: Finding[] = [];
  for (const entry of entriesOf<Patient>(person, 'Patient')) {
    const values = valuesOf(entry, asOf);
    for (const channel of contactChannels) {
      const held = values[channel];
      const now = current[channel];
      if (!held || !now || held.normalized === now.normalized) continue;
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
