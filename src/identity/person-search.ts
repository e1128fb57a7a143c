/**
 * Finding a person at the desk: by a name as the caller spells it, a date of birth, a phone
 * number, or any silo's identifier (MRN, member id). Two steps:
 *
 * 1. Candidates from the search index the store keeps (search_string, search_date,
 *    search_token): name parts sharing the first two letters of a query word (a misspelling
 *    rarely changes the first letters; "Jonson" finds "Johnson"), the birth date and its
 *    day/month swap, the last ten digits of a phone, an identifier value in any system.
 * 2. The candidates' records, read through the store's search with the caller's access context
 *    (the policy decides, one audit entry per search), scored with the identity engine's own
 *    comparators (Jaro-Winkler, Double Metaphone, nicknames, day/month swap), grouped by person.
 *
 * The result is one line per person with its golden demographics, best first.
 */
import type { Identifier, Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../platform/db/db.ts';
import { errorAt } from '../platform/errors.ts';
import type { SearchService } from '../record/search/search-service.ts';
import type { AccessContext } from '../trust/access-context.ts';
import { jaroWinkler } from './compare/jaro-winkler.ts';
import { isGoldenPatient } from './from-fhir-patient.ts';
import { readPatientsById } from './patients-by-id.ts';
import { isDayMonthSwap, normalizeBirthDate } from './normalize/date.ts';
import { areNicknameEquivalent } from './normalize/nicknames.ts';
import { normalizeName } from './normalize/name.ts';

export interface PersonQuery {
  q?: string;
  birthdate?: string;
  phone?: string;
  identifier?: string;
  limit?: number;
}

export interface PersonHit {
  id: string;
  name: string;
  birthDate?: string;
  gender?: string;
  phone?: string;
  address?: string;
  identifiers: { system: string; value: string; source: string }[];
  sourceCount: number;
  score: number;
  matchedOn: string[];
}

/** A name word scoring under this against every name part is not the person asked for. */
const NAME_FLOOR = 0.82;
/** Candidate records read per search: enough for common names in a large organization. */
const MAX_CANDIDATES = 2000;

export function queryWords(q: string): string[] {
  return q
    .split(/[\s,]+/)
    .map((w) => normalizeName(w)?.squashed ?? '')
    .filter((w) => w.length >= 2);
}

/** The closest of a record's name parts to one query word, 0..1. */
export function nameWordScore(word: string, parts: readonly string[]): number {
  const [primary] = normalizeName(word)?.phonetic ?? [''];
  let best = 0;
  for (const part of parts) {
    const n = normalizeName(part);
    if (!n) continue;
    for (const token of [n.squashed, ...n.tokens]) {
      let s = jaroWinkler(word, token);
      if (primary && n.phonetic.includes(primary)) s = Math.max(s, 0.9);
      if (areNicknameEquivalent(word, token)) s = Math.max(s, 0.9);
      best = Math.max(best, s);
    }
  }
  return best;
}

function nameParts(p: Patient): string[] {
  return (p.name ?? []).flatMap((n) => [...(n.given ?? []), ...(n.family ? [n.family] : [])]);
}

function phoneDigits(text: string): string {
  return text.replace(/\D/g, '').slice(-10);
}

/** How well one record answers the query: per criterion given, 0 when it does not fit. */
export function scoreRecord(query: PersonQuery, p: Patient): { score: number; matchedOn: string[] } | undefined {
  const scores: number[] = [];
  const matchedOn: string[] = [];
  if (query.q) {
    const parts = nameParts(p);
    const words = queryWords(query.q);
    const each = words.map((w) => nameWordScore(w, parts));
    const s = each.length ? each.reduce((a, b) => a + b, 0) / each.length : 0;
    if (Math.min(...each, 1) < NAME_FLOOR) return undefined;
    scores.push(s);
    matchedOn.push(s >= 0.999 ? 'name' : 'name (similar)');
  }
  if (query.birthdate) {
    const want = normalizeBirthDate(query.birthdate);
    const have = normalizeBirthDate(p.birthDate);
    if (!want || !have) return undefined;
    if (want.iso === have.iso) {
      scores.push(1);
      matchedOn.push('birth date');
    } else if (isDayMonthSwap(want, have)) {
      scores.push(0.8);
      matchedOn.push('birth date (day and month swapped)');
    } else return undefined;
  }
  if (query.phone) {
    const want = phoneDigits(query.phone);
    if (!(p.telecom ?? []).some((t) => t.system === 'phone' && t.value && phoneDigits(t.value) === want)) return undefined;
    scores.push(1);
    matchedOn.push('phone');
  }
  if (query.identifier) {
    const want = query.identifier.trim().toLowerCase();
    if (!(p.identifier ?? []).some((i) => i.value?.toLowerCase() === want)) return undefined;
    scores.push(1);
    matchedOn.push('identifier');
  }
  return { score: scores.reduce((a, b) => a + b, 0) / scores.length, matchedOn };
}

/** Patient ids whose index rows fit any criterion of the query (step 1). */
async function candidateIds(db: Queryable, query: PersonQuery): Promise<string[]> {
  const parts: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => `$${params.push(v)}`;
  for (const word of query.q ? queryWords(query.q) : []) {
    const prefix = word.slice(0, 2);
    parts.push(
      `select id from search_string where resource_type = 'Patient' and code in ('family', 'given') and value_normalized >= ${param(prefix)} and value_normalized < ${param(`${prefix}\u{10FFFF}`)}`,
    );
  }
  if (query.birthdate) {
    const want = normalizeBirthDate(query.birthdate);
    if (want) {
      const days = [want.iso, ...(want.day <= 12 && want.day !== want.month ? [`${want.year}-${String(want.day).padStart(2, '0')}-${String(want.month).padStart(2, '0')}`] : [])];
      parts.push(`select id from search_date where resource_type = 'Patient' and code = 'birthdate' and (low at time zone 'UTC')::date = any(${param(days)}::date[])`);
    }
  }
  if (query.phone) {
    parts.push(`select id from search_token where resource_type = 'Patient' and code = 'phone' and right(regexp_replace(value, '[^0-9]', '', 'g'), 10) = ${param(phoneDigits(query.phone))}`);
  }
  if (query.identifier) {
    parts.push(`select id from search_token where resource_type = 'Patient' and code = 'identifier' and lower(value) = ${param(query.identifier.trim().toLowerCase())}`);
  }
  if (parts.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(`select distinct id from (${parts.join(' union all ')}) c limit ${MAX_CANDIDATES}`, params);
  return rows.map((r) => r.id);
}

function describeIdentifier(i: Identifier): { system: string; value: string; source: string } {
  const system = i.system ?? '';
  const source = i.assigner?.display ?? i.type?.text ?? i.type?.coding?.[0]?.code ?? (system.split(/[/:]/).filter(Boolean).pop() || 'unknown');
  return { system, value: i.value ?? '', source };
}

function summarize(golden: Patient, best: { score: number; matchedOn: string[] }, sourceCount: number): PersonHit {
  const name = golden.name?.[0];
  const address = golden.address?.[0];
  const phone = golden.telecom?.find((t) => t.system === 'phone')?.value;
  return {
    id: golden.id!,
    name: [name?.given?.join(' '), name?.family].filter(Boolean).join(' '),
    ...(golden.birthDate ? { birthDate: golden.birthDate } : {}),
    ...(golden.gender ? { gender: golden.gender } : {}),
    ...(phone ? { phone } : {}),
    ...(address ? { address: [address.line?.join(' '), address.city, address.state, address.postalCode].filter(Boolean).join(', ') } : {}),
    identifiers: (golden.identifier ?? []).filter((i) => i.value).map(describeIdentifier),
    sourceCount,
    score: Math.round(best.score * 1000) / 1000,
    matchedOn: best.matchedOn,
  };
}

/** Searches persons (step 1 then step 2); LNG_BAD_REQUEST when the query names nothing to look for. */
export async function searchPersons(deps: { db: Queryable; search: SearchService }, ctx: AccessContext, query: PersonQuery): Promise<PersonHit[]> {
  if (!query.q?.trim() && !query.birthdate && !query.phone && !query.identifier) {
    throw errorAt('LNG_BAD_REQUEST', 'say whom to look for: q (a name), birthdate, phone or identifier', 'q');
  }
  if (query.birthdate && !normalizeBirthDate(query.birthdate)) throw errorAt('LNG_BAD_REQUEST', `birthdate: ${query.birthdate} is not a date (YYYY-MM-DD)`, 'birthdate');
  const ids = await candidateIds(deps.db, query);
  const records = await readPatientsById(deps.search, ctx, ids);
  const scored = new Map<string, { score: number; matchedOn: string[] }>();
  const refs = records.filter((p) => !isGoldenPatient(p)).map((p) => `Patient/${p.id}`);
  const { rows: links } = await deps.db.query<{ record_ref: string; person_id: string }>(`select record_ref, person_id from identity_link where record_ref = any($1::text[])`, [refs]);
  const personOf = new Map(links.map((l) => [l.record_ref, l.person_id]));
  for (const p of records) {
    const person = isGoldenPatient(p) ? p.id! : personOf.get(`Patient/${p.id}`);
    const fit = person ? scoreRecord(query, p) : undefined;
    if (!person || !fit) continue;
    const seen = scored.get(person);
    if (!seen || fit.score > seen.score) scored.set(person, fit);
  }
  const ranked = [...scored.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, query.limit ?? 20);
  if (ranked.length === 0) return [];
  const goldens = new Map((await readPatientsById(deps.search, ctx, ranked.map(([id]) => id))).map((p) => [p.id!, p]));
  const { rows: counts } = await deps.db.query<{ person_id: string; n: number }>(
    `select person_id, count(*)::int as n from identity_link where person_id = any($1::text[]) group by person_id`,
    [ranked.map(([id]) => id)],
  );
  const countOf = new Map(counts.map((c) => [c.person_id, c.n]));
  return ranked.flatMap(([id, best]) => {
    const golden = goldens.get(id);
    return golden ? [summarize(golden, best, countOf.get(id) ?? 0)] : [];
  });
}
