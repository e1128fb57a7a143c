/**
 * Online matching: a new source Patient is matched as it is stored, with the model of the last
 * batch relink (model-store.ts), against candidates the record store's search indexes find.
 * The same engine decides: the pair weights are the batch's, and the record joins a person the
 * way batch clustering lets two clusters merge (cluster.ts): its strongest link must reach the
 * link threshold AND its mean weight against every member of the person must reach the review
 * threshold, so a record that resembles one member of a household does not join it.
 *
 * Candidate generation is the online counterpart of blocking.ts, over indexed FHIR searches
 * (each a block; one larger than the block limit is skipped, like a batch block): the full
 * birth date, an identifier (MRN, member id, SSN), a phone or e-mail as sent, the family or
 * given name with the birth year, and the family name with the postal code. Phonetic blocks
 * (a misspelt surname with a wrong birth date) are left to the next batch relink.
 */
import type { Patient } from '@medplum/fhirtypes';
import { escapeValue } from '../record/search/search-values.ts';
import { explainPair, scorePair, type FieldWeight, type MatchModel } from './fellegi-sunter.ts';
import { GOLDEN_TAG, patientToSourceRecord } from './from-fhir-patient.ts';
import type { NormalizedRecord } from './types.ts';

export interface PersonMember {
  record: NormalizedRecord;
  personId: string;
}

export interface PairWeight {
  partner: string;
  weight: number;
  weights: FieldWeight[];
}

export type OnlineDecision =
  | { kind: 'link'; personId: string; best: PairWeight; review: PairWeight[] }
  | { kind: 'single'; review: PairWeight[] };

export interface OnlineThresholds {
  linkWeight: number;
  reviewWeight: number;
}

/**
 * Which person a new record joins, given every member of each candidate person. Persons it
 * reaches the review threshold with, and does not join, are possible matches for review.
 */
export function decideOnline(model: MatchModel, record: NormalizedRecord, members: readonly PersonMember[], t: OnlineThresholds): OnlineDecision {
  const byPerson = new Map<string, { weights: number[]; best: { member: NormalizedRecord; weight: number } }>();
  for (const m of members) {
    const weight = scorePair(model, record, m.record);
    const entry = byPerson.get(m.personId);
    if (!entry) byPerson.set(m.personId, { weights: [weight], best: { member: m.record, weight } });
    else {
      entry.weights.push(weight);
      if (weight > entry.best.weight || (weight === entry.best.weight && m.record.recordId < entry.best.member.recordId)) entry.best = { member: m.record, weight };
    }
  }
  const ranked = [...byPerson].sort(([a, x], [b, y]) => y.best.weight - x.best.weight || (a < b ? -1 : 1));
  const pair = (e: { best: { member: NormalizedRecord; weight: number } }): PairWeight => ({
    partner: e.best.member.recordId, weight: e.best.weight, weights: explainPair(model, record, e.best.member),
  });
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const joined = ranked.find(([, e]) => e.best.weight >= t.linkWeight && mean(e.weights) >= t.reviewWeight);
  const review = ranked.filter(([id, e]) => id !== joined?.[0] && e.best.weight >= t.reviewWeight).map(([, e]) => pair(e));
  return joined ? { kind: 'link', personId: joined[0], best: pair(joined[1]), review } : { kind: 'single', review };
}


/** The FHIR searches (one per block) that find a Patient's candidates; golden Patients excluded. */
export function candidateSearches(patient: Patient, maxBlockSize: number): [string, string][][] {
  const r = patientToSourceRecord(patient);
  const year = /^(\d{4})-\d{2}-\d{2}$/.exec(r.birthDate ?? '')?.[1];
  const blocks: [string, string][][] = [];
  if (year) blocks.push([['birthdate', `eq${r.birthDate}`]]);
  const ids = [...(r.identifiers ?? []).map((i) => `${escapeValue(i.system)}|${escapeValue(i.value)}`), ...(r.ssn ? [`http://hl7.org/fhir/sid/us-ssn|${escapeValue(r.ssn)}`] : [])];
  if (ids.length > 0) blocks.push([['identifier', ids.join(',')]]);
  const phones = (r.phones ?? []).filter((p): p is string => !!p);
  if (phones.length > 0) blocks.push([['phone', phones.map(escapeValue).join(',')]]);
  if (r.email) blocks.push([['email', escapeValue(r.email)]]);
  const inYear = (y: string): [string, string][] => [['birthdate', `ge${y}-01-01`], ['birthdate', `le${y}-12-31`]];
  if (r.familyName && year) blocks.push([['family', escapeValue(r.familyName)], ...inYear(year)]);
  if (r.givenName && year) blocks.push([['given', escapeValue(r.givenName)], ...inYear(year)]);
  if (r.familyName && r.address?.postalCode) blocks.push([['family', escapeValue(r.familyName)], ['address-postalcode', escapeValue(r.address.postalCode)]]);
  const common: [string, string][] = [['_tag:not', `${GOLDEN_TAG.system}|${GOLDEN_TAG.code}`], ['_count', String(maxBlockSize + 1)]];
  return blocks.map((b) => [...b, ...common]);
}
