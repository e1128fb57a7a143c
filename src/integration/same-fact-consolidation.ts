/**
 * The same fact stored twice because its two sources' Patients were not linked yet when it
 * arrived (a batch import runs before identity links anyone; same-fact.ts needs the link).
 * Once identity holds both Patients as one person, the later copy gives way to the earlier
 * one: every reference to it (its message's Provenance target, its report's `result`) is
 * pointed at the Observation kept, which so gets one Provenance per source, and the copy is
 * deleted (a versioned delete: its history stays readable). Run after a relink.
 */
import type { Observation, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../platform/db/db.ts';
import type { ResourceStore, StoreTransaction } from '../record/resource-store.ts';
import type { AccessContext } from '../trust/access-context.ts';
import { sameFactKey } from './normalize/same-fact-key.ts';

export interface ConsolidationSummary {
  /** Facts held twice or more. */
  facts: number;
  /** Copies removed (their references now name the Observation kept). */
  removed: number;
  /** Resources whose references were pointed at a kept Observation. */
  repointed: number;
}

interface Candidate {
  personId: string;
  id: string;
  lastUpdated: Date;
}

/**
 * Observations of persons with two or more source records that share their person, LOINC
 * code and effective time (as sent) with another one: the only ones that can be the same fact
 * (the key check follows in code; the same instant written with another offset is missed).
 * Uses the subject index (search_reference) and the identity links.
 */
async function candidates(db: Queryable, persons: readonly string[] | undefined): Promise<Candidate[]> {
  const { rows } = await db.query<{ person_id: string; id: string; last_updated: string | Date }>(
    `with persons as (
       select person_id from identity_link
        where $1::text[] is null or person_id = any($1::text[])
        group by person_id having count(*) > 1
     ), obs as (
       select l.person_id, r.id, r.last_updated,
              coalesce(r.content->>'effectiveDateTime', r.content->>'effectiveInstant', r.content->'effectivePeriod'->>'start') as at,
              (select c->>'code' from jsonb_array_elements(r.content->'code'->'coding') c where c->>'system' = 'http://loinc.org' limit 1) as loinc
         from identity_link l
         join persons p on p.person_id = l.person_id
         join search_reference x on x.resource_type = 'Observation' and x.code = 'subject'
                                and x.target_type = 'Patient' and x.target_id = substr(l.record_ref, 9)
         join resource r on r.resource_type = 'Observation' and r.id = x.id and not r.deleted
     )
     select person_id, id, last_updated from obs o
      where at is not null and loinc is not null
        and exists (select 1 from obs o2 where o2.person_id = o.person_id and o2.at = o.at and o2.loinc = o.loinc and o2.id <> o.id)
      order by person_id, last_updated, id`,
    [persons ?? null],
  );
  return rows.map((r) => ({ personId: r.person_id, id: r.id, lastUpdated: new Date(r.last_updated) }));
}

/** Groups of one person's Observations with equal same-fact keys, the first stored first. */
function groupsOf(observations: readonly { personId: string; resource: Observation }[]): Observation[][] {
  const groups = new Map<string, Observation[]>();
  for (const { personId, resource } of observations) {
    const key = sameFactKey(resource, { subjectKey: personId });
    if (!key) continue;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(resource);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** The resource with every `reference` to `from` replaced by `to`. */
function repoint<T extends Resource>(resource: T, from: string, to: string): T {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, k === 'reference' && v === from ? to : walk(v)]));
  };
  return walk(resource) as T;
}

async function mergeCopy(tx: StoreTransaction, kept: Observation, copy: Observation): Promise<number> {
  const from = `Observation/${copy.id}`;
  const to = `Observation/${kept.id}`;
  const referring = await tx.alongside((q) => q.query<{ resource_type: string; id: string }>(
    `select distinct resource_type, id from search_reference where target_type = 'Observation' and target_id = $1`,
    [copy.id],
  ));
  let repointed = 0;
  for (const row of referring.rows) {
    if (row.resource_type === 'Observation' && row.id === copy.id) continue;
    const resource = await tx.read(row.resource_type, row.id);
    await tx.update(repoint(resource, from, to));
    repointed++;
  }
  await tx.delete('Observation', copy.id!);
  return repointed;
}

/** Consolidates the same facts of these persons (all persons when none are given). */
export async function consolidateSameFacts(deps: { db: Queryable; store: ResourceStore }, ctx: AccessContext, persons?: readonly string[]): Promise<ConsolidationSummary> {
  const summary: ConsolidationSummary = { facts: 0, removed: 0, repointed: 0 };
  const found = await candidates(deps.db, persons);
  const byPerson = new Map<string, Candidate[]>();
  for (const c of found) (byPerson.get(c.personId) ?? byPerson.set(c.personId, []).get(c.personId)!).push(c);
  for (const [personId, observations] of byPerson) {
    await deps.store.transaction(ctx, async (tx) => {
      const read = [];
      for (const o of observations) read.push({ personId, resource: await tx.read<Observation>('Observation', o.id) });
      for (const [kept, ...copies] of groupsOf(read)) {
        summary.facts++;
        for (const copy of copies) {
          summary.repointed += await mergeCopy(tx, kept!, copy);
          summary.removed++;
        }
      }
    });
  }
  return summary;
}
