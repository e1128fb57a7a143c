/**
 * The master person index tables (migration 0011): persons, links of source Patients to them,
 * not-a-match pairs, the review queue and the decision log. Raw parameterized SQL over the Db
 * port, set-based where a batch writes many rows; the same statements run on PGlite and
 * PostgreSQL. Callers pass the transaction (`Queryable`) the work belongs to.
 */
import type { Queryable } from '../platform/db/db.ts';
import type { FieldWeight } from './fellegi-sunter.ts';

export type PersonStatus = 'active' | 'merged' | 'retired';
export type DecidedBy = 'auto' | 'user';

export interface PersonRow {
  id: string;
  status: PersonStatus;
  replacedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LinkRow {
  recordRef: string;
  personId: string;
  source: string;
  score: number | null;
  probability: number | null;
  rule: string;
  reasons: FieldWeight[] | { note: string }[];
  decidedBy: DecidedBy;
  decidedById: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export interface ReviewItem {
  id: number;
  recordA: string;
  recordB: string;
  score: number;
  probability: number;
  weights: FieldWeight[];
  status: 'open' | 'linked' | 'not-a-match' | 'superseded';
  createdAt: Date;
  decidedAt: Date | null;
  decidedById: string | null;
}

export interface Decision {
  decidedBy: DecidedBy;
  decidedById: string;
  action: string;
  personId?: string | null;
  otherPersonId?: string | null;
  recordRefs?: string[];
  score?: number | null;
  reasons?: unknown;
}

export interface DecisionRow extends Required<Decision> {
  id: number;
  decidedAt: Date;
}

/** Pairs are stored smaller reference first. */
export function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

export async function insertPersons(tx: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query('insert into identity_person (id) select unnest($1::text[]) on conflict (id) do nothing', [ids]);
}

export async function setPersonStatus(tx: Queryable, ids: readonly string[], status: PersonStatus, replacedBy: string | null = null): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    'update identity_person set status = $2, replaced_by = $3, updated_at = now() where id = any($1::text[])',
    [ids, status, replacedBy],
  );
}

interface PersonDbRow {
  id: string;
  status: PersonStatus;
  replaced_by: string | null;
  created_at: Date;
  updated_at: Date;
}
const toPerson = (r: PersonDbRow): PersonRow => ({
  id: r.id, status: r.status, replacedBy: r.replaced_by, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export async function getPerson(db: Queryable, id: string): Promise<PersonRow | undefined> {
  const { rows } = await db.query<PersonDbRow>('select id, status, replaced_by, created_at, updated_at from identity_person where id = $1', [id]);
  return rows[0] ? toPerson(rows[0]) : undefined;
}

/** Persons merged into this one (their replaced_by names it). */
export async function personsReplacedBy(db: Queryable, id: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('select id from identity_person where replaced_by = $1 order by id', [id]);
  return rows.map((r) => r.id);
}

export async function allPersons(db: Queryable): Promise<PersonRow[]> {
  const { rows } = await db.query<PersonDbRow>('select id, status, replaced_by, created_at, updated_at from identity_person order by id');
  return rows.map(toPerson);
}

/** Inserts or replaces the links of these records. */
export async function upsertLinks(tx: Queryable, links: readonly LinkRow[]): Promise<void> {
  if (links.length === 0) return;
  await tx.query(
    `insert into identity_link (record_ref, person_id, source, score, probability, rule, reasons, decided_by, decided_by_id)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::jsonb[], $8::text[], $9::text[])
     on conflict (record_ref) do update set
       person_id = excluded.person_id, source = excluded.source, score = excluded.score, probability = excluded.probability,
       rule = excluded.rule, reasons = excluded.reasons, decided_by = excluded.decided_by, decided_by_id = excluded.decided_by_id,
       updated_at = now()`,
    [
      links.map((l) => l.recordRef),
      links.map((l) => l.personId),
      links.map((l) => l.source),
      links.map((l) => l.score),
      links.map((l) => l.probability),
      links.map((l) => l.rule),
      links.map((l) => JSON.stringify(l.reasons)),
      links.map((l) => l.decidedBy),
      links.map((l) => l.decidedById),
    ],
  );
}

interface LinkDbRow {
  record_ref: string;
  person_id: string;
  source: string;
  score: number | null;
  probability: number | null;
  rule: string;
  reasons: LinkRow['reasons'];
  decided_by: DecidedBy;
  decided_by_id: string;
  created_at: Date;
  updated_at: Date;
}
const linkColumns = 'record_ref, person_id, source, score, probability, rule, reasons, decided_by, decided_by_id, created_at, updated_at';
const toLink = (r: LinkDbRow): LinkRow => ({
  recordRef: r.record_ref, personId: r.person_id, source: r.source, score: r.score, probability: r.probability, rule: r.rule,
  reasons: r.reasons, decidedBy: r.decided_by, decidedById: r.decided_by_id, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export async function allLinks(db: Queryable): Promise<LinkRow[]> {
  const { rows } = await db.query<LinkDbRow>(`select ${linkColumns} from identity_link order by record_ref`);
  return rows.map(toLink);
}

export async function linksOfPersons(db: Queryable, personIds: readonly string[]): Promise<LinkRow[]> {
  const { rows } = await db.query<LinkDbRow>(`select ${linkColumns} from identity_link where person_id = any($1::text[]) order by record_ref`, [personIds]);
  return rows.map(toLink);
}

export async function linkOfRecord(db: Queryable, recordRef: string): Promise<LinkRow | undefined> {
  const { rows } = await db.query<LinkDbRow>(`select ${linkColumns} from identity_link where record_ref = $1`, [recordRef]);
  return rows[0] ? toLink(rows[0]) : undefined;
}

/** The persons of several records at once (records without a link are left out). */
export async function personsOfRecords(db: Queryable, recordRefs: readonly string[]): Promise<Map<string, string>> {
  if (recordRefs.length === 0) return new Map();
  const { rows } = await db.query<{ record_ref: string; person_id: string }>(
    'select record_ref, person_id from identity_link where record_ref = any($1::text[])',
    [recordRefs],
  );
  return new Map(rows.map((r) => [r.record_ref, r.person_id]));
}

export async function addNotMatch(tx: Queryable, a: string, b: string, decidedById: string): Promise<void> {
  const [x, y] = orderedPair(a, b);
  await tx.query('insert into identity_not_match (record_a, record_b, decided_by_id) values ($1, $2, $3) on conflict do nothing', [x, y, decidedById]);
}

export async function isNotMatch(db: Queryable, a: string, b: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from identity_not_match where record_a = $1 and record_b = $2', orderedPair(a, b));
  return rows.length > 0;
}

/** The source records of the person a record belongs to (itself included; just itself when unlinked). */
export async function recordsOfSamePerson(db: Queryable, recordRef: string): Promise<string[]> {
  const { rows } = await db.query<{ record_ref: string }>(
    `select l2.record_ref from identity_link l1 join identity_link l2 on l2.person_id = l1.person_id
      where l1.record_ref = $1 order by l2.record_ref`,
    [recordRef],
  );
  return rows.length > 0 ? rows.map((r) => r.record_ref) : [recordRef];
}

/** The records a person said are not this one. */
export async function notMatchesOf(db: Queryable, ref: string): Promise<string[]> {
  const { rows } = await db.query<{ other: string }>(
    'select case when record_a = $1 then record_b else record_a end as other from identity_not_match where record_a = $1 or record_b = $1',
    [ref],
  );
  return rows.map((r) => r.other);
}

export async function allNotMatches(db: Queryable): Promise<[string, string][]> {
  const { rows } = await db.query<{ record_a: string; record_b: string }>('select record_a, record_b from identity_not_match');
  return rows.map((r) => [r.record_a, r.record_b]);
}

/**
 * Opens review items for new possible matches; a pair already open, or decided not a match,
 * is skipped (a "not a match" is never proposed again). Returns how many were opened.
 */
export async function openReviewItems(
  tx: Queryable,
  items: readonly { recordA: string; recordB: string; score: number; probability: number; weights: FieldWeight[] }[],
): Promise<number> {
  if (items.length === 0) return 0;
  const pairs = items.map((i) => orderedPair(i.recordA, i.recordB));
  const { rowCount } = await tx.query(
    `insert into identity_review (record_a, record_b, score, probability, weights)
     select v.a, v.b, v.score, v.probability, v.weights
       from unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::jsonb[]) as v(a, b, score, probability, weights)
      where not exists (select 1 from identity_not_match n where n.record_a = v.a and n.record_b = v.b)
     on conflict (record_a, record_b) where status = 'open' do nothing`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1]), items.map((i) => i.score), items.map((i) => i.probability), items.map((i) => JSON.stringify(i.weights))],
  );
  return rowCount;
}

/** Open items whose records now belong to one person (linked meanwhile) or are not-a-match are superseded. */
export async function supersedeSettledReviews(tx: Queryable): Promise<number> {
  const { rowCount } = await tx.query(
    `update identity_review r set status = 'superseded', decided_at = now(), decided_by_id = 'auto'
      where r.status = 'open' and (
        exists (select 1 from identity_link a join identity_link b on a.person_id = b.person_id
                 where a.record_ref = r.record_a and b.record_ref = r.record_b)
        or exists (select 1 from identity_not_match n where n.record_a = r.record_a and n.record_b = r.record_b))`,
  );
  return rowCount;
}

interface ReviewDbRow {
  id: number;
  record_a: string;
  record_b: string;
  score: number;
  probability: number;
  weights: FieldWeight[];
  status: ReviewItem['status'];
  created_at: Date;
  decided_at: Date | null;
  decided_by_id: string | null;
}
const reviewColumns = 'id, record_a, record_b, score, probability, weights, status, created_at, decided_at, decided_by_id';
const toReview = (r: ReviewDbRow): ReviewItem => ({
  id: r.id, recordA: r.record_a, recordB: r.record_b, score: r.score, probability: r.probability, weights: r.weights, status: r.status,
  createdAt: new Date(r.created_at), decidedAt: r.decided_at ? new Date(r.decided_at) : null, decidedById: r.decided_by_id,
});

export async function listReviewItems(db: Queryable, options: { status?: ReviewItem['status']; limit?: number; afterId?: number } = {}): Promise<ReviewItem[]> {
  const { rows } = await db.query<ReviewDbRow>(
    `select ${reviewColumns} from identity_review where status = $1 and id > $2 order by score desc, id limit $3`,
    [options.status ?? 'open', options.afterId ?? 0, options.limit ?? 100],
  );
  return rows.map(toReview);
}

export async function getReviewItem(db: Queryable, id: number, options: { forUpdate?: boolean } = {}): Promise<ReviewItem | undefined> {
  const { rows } = await db.query<ReviewDbRow>(`select ${reviewColumns} from identity_review where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
  return rows[0] ? toReview(rows[0]) : undefined;
}

export async function closeReviewItem(tx: Queryable, id: number, status: 'linked' | 'not-a-match', decidedById: string): Promise<void> {
  await tx.query('update identity_review set status = $2, decided_at = now(), decided_by_id = $3 where id = $1', [id, status, decidedById]);
}

export async function appendDecisions(tx: Queryable, decisions: readonly Decision[]): Promise<void> {
  if (decisions.length === 0) return;
  await tx.query(
    `insert into identity_decision (decided_by, decided_by_id, action, person_id, other_person_id, record_refs, score, reasons)
     select v.decided_by, v.decided_by_id, v.action, v.person_id, v.other_person_id,
            array(select jsonb_array_elements_text(v.refs)), v.score, v.reasons
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::float8[], $8::jsonb[])
         as v(decided_by, decided_by_id, action, person_id, other_person_id, refs, score, reasons)`,
    [
      decisions.map((d) => d.decidedBy),
      decisions.map((d) => d.decidedById),
      decisions.map((d) => d.action),
      decisions.map((d) => d.personId ?? null),
      decisions.map((d) => d.otherPersonId ?? null),
      decisions.map((d) => JSON.stringify(d.recordRefs ?? [])),
      decisions.map((d) => d.score ?? null),
      decisions.map((d) => JSON.stringify(d.reasons ?? [])),
    ],
  );
}

interface DecisionDbRow {
  id: number;
  decided_at: Date;
  decided_by: DecidedBy;
  decided_by_id: string;
  action: string;
  person_id: string | null;
  other_person_id: string | null;
  record_refs: string[];
  score: number | null;
  reasons: unknown;
}

/** Decisions naming a person (as the person or the other one), newest first. */
export async function decisionsOfPerson(db: Queryable, personId: string, limit = 100): Promise<DecisionRow[]> {
  const { rows } = await db.query<DecisionDbRow>(
    `select id, decided_at, decided_by, decided_by_id, action, person_id, other_person_id, record_refs, score, reasons
       from identity_decision where person_id = $1 or other_person_id = $1 order by id desc limit $2`,
    [personId, limit],
  );
  return rows.map((r) => ({
    id: r.id, decidedAt: new Date(r.decided_at), decidedBy: r.decided_by, decidedById: r.decided_by_id, action: r.action,
    personId: r.person_id, otherPersonId: r.other_person_id, recordRefs: r.record_refs, score: r.score, reasons: r.reasons,
  }));
}

/** The last merge of `mergedId` into another person (a user's, or one a source asserted), with the records it moved. */
export async function lastMerge(db: Queryable, mergedId: string): Promise<DecisionRow | undefined> {
  const { rows } = await db.query<DecisionDbRow>(
    `select id, decided_at, decided_by, decided_by_id, action, person_id, other_person_id, record_refs, score, reasons
       from identity_decision where action in ('merge', 'source-merge') and other_person_id = $1 order by id desc limit 1`,
    [mergedId],
  );
  const r = rows[0];
  return r
    ? { id: r.id, decidedAt: new Date(r.decided_at), decidedBy: r.decided_by, decidedById: r.decided_by_id, action: r.action, personId: r.person_id, otherPersonId: r.other_person_id, recordRefs: r.record_refs, score: r.score, reasons: r.reasons }
    : undefined;
}
