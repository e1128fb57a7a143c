/**
 * The same fact from two sources becomes one resource with two Provenances, not two resources:
 * the hospital forwards the reference lab's HbA1c, and the lab reports it too. When a message
 * would create an Observation that the record already holds about the same person (equal
 * same-fact key: normalize/same-fact-key.ts), the message's entry writes nothing and its
 * Provenance (and its DiagnosticReport's `result`) point at the Observation already there
 * (record/bundle-processor.ts, SameAsFinder).
 *
 * "The same person" is the subject Patient and, when the identity layer has linked it, every
 * source Patient of its person (`samePerson`, passed in by the composition root). A fact that
 * arrives before identity has linked its two sources is stored twice, and made one after
 * linking (same-fact-consolidation.ts; docs/integration.md).
 */
import type { Observation } from '@medplum/fhirtypes';
import type { Queryable } from '../platform/db/db.ts';
import type { SameAsFinder } from '../record/bundle-processor.ts';
import { LOINC, codeIn } from './normalize/codings.ts';
import { sameFactKey } from './normalize/same-fact-key.ts';

/** The source Patients of the person a Patient reference belongs to (itself included). */
export type SamePerson = (q: Queryable, patientRef: string) => Promise<string[]>;

/** Both keys are computed for one placeholder subject: the lookup already asked for the person's records. */
const ANY_SUBJECT = { subjectKey: 'person' };

interface Asked {
  index: number;
  key: string;
  subjects: string[];
  loinc: string;
  /** The effective day as sent: a coarse filter, the key decides. */
  day: string;
}

function askedOf(index: number, obs: Observation, subjects: string[]): Asked | undefined {
  const key = sameFactKey(obs, ANY_SUBJECT);
  const loinc = codeIn(obs.code, LOINC);
  const when = obs.effectiveDateTime ?? obs.effectiveInstant ?? obs.effectivePeriod?.start;
  return key && loinc && when ? { index, key, subjects, loinc, day: when.slice(0, 10) } : undefined;
}

/**
 * The stored Observations of these Patients with one of these LOINC codes on one of these days
 * (as sent), first stored first: one statement per message, over the subject and code index
 * rows.
 */
async function storedCandidates(q: Queryable, patientIds: readonly string[], loincs: readonly string[], days: readonly string[]): Promise<Observation[]> {
  const { rows } = await q.query<{ content: Observation | string }>(
    `select r.content from search_reference x
       join search_token t on t.resource_type = 'Observation' and t.id = x.id and t.code = 'code'
                          and t.system = '${LOINC}' and t.value = any($2::text[])
       join resource r on r.resource_type = 'Observation' and r.id = x.id and not r.deleted
      where x.resource_type = 'Observation' and x.code = 'subject' and x.target_type = 'Patient'
        and x.target_id = any($1::text[])
        and left(coalesce(r.content->>'effectiveDateTime', r.content->>'effectiveInstant', r.content->'effectivePeriod'->>'start'), 10) = any($3::text[])
      order by r.last_updated, r.id`,
    [patientIds, loincs, days],
  );
  return rows.map((r) => (typeof r.content === 'string' ? (JSON.parse(r.content) as Observation) : r.content));
}

/**
 * Looks among what is stored, not among this unit's versions still waiting (searchStored): an
 * import batch's two messages carrying one fact for one person both store it; the
 * consolidation after linking (same-fact-consolidation.ts) makes them one.
 */
export function sameFactFinder(samePerson?: SamePerson): SameAsFinder {
  return async (tx, fresh) => {
    // A message is mostly about one patient: one identity lookup per subject, not per result.
    const persons = new Map<string, Promise<string[]>>();
    const personOf = (subject: string) =>
      persons.get(subject) ?? persons.set(subject, samePerson ? tx.searchStored('Patient', `same person as ${subject}`, (q) => samePerson(q, subject)) : Promise.resolve([subject])).get(subject)!;
    const asked: Asked[] = [];
    for (const { index, resource } of fresh) {
      const subject = resource.resourceType === 'Observation' ? resource.subject?.reference : undefined;
      if (!subject || !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(subject)) continue;
      const a = askedOf(index, resource as Observation, await personOf(subject));
      if (a) asked.push(a);
    }
    const same = new Map<number, string>();
    if (asked.length === 0) return same;
    const patientIds = [...new Set(asked.flatMap((a) => a.subjects))].map((ref) => ref.slice('Patient/'.length));
    const loincs = [...new Set(asked.map((a) => a.loinc))];
    const days = [...new Set(asked.map((a) => a.day))];
    const stored = await tx.searchStored('Observation', `same fact: subject=${patientIds.join(',')}&code=${loincs.join(',')}&date=${days.join(',')}`,
      (q) => storedCandidates(q, patientIds, loincs, days));
    const firstByKey = new Map<string, Observation>();
    for (const obs of stored) {
      const subject = obs.subject?.reference;
      const key = sameFactKey(obs, ANY_SUBJECT);
      if (key && subject) {
        const k = `${subject}\n${key}`;
        if (!firstByKey.has(k)) firstByKey.set(k, obs);
      }
    }
    for (const a of asked) {
      const hit = a.subjects.map((subject) => firstByKey.get(`${subject}\n${a.key}`)).find((o) => o !== undefined);
      if (hit?.id) same.set(a.index, hit.id);
    }
    return same;
  };
}
