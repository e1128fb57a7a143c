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
 * arrives before identity has linked its two sources is stored twice; both stay, each with its
 * own source (documented in docs/integration.md).
 */
import type { Observation } from '@medplum/fhirtypes';
import type { Queryable } from '../platform/db/db.ts';
import type { SameAsFinder } from '../record/bundle-processor.ts';
import { LOINC, codeIn } from './normalize/codings.ts';
import { sameFactKey } from './normalize/same-fact-key.ts';

/** The source Patients of the person a Patient reference belongs to (itself included). */
export type SamePerson = (q: Queryable, patientRef: string) => Promise<string[]>;

/** Both keys are computed for one placeholder subject: the search already asked for the person's records. */
const ANY_SUBJECT = { subjectKey: 'person' };

/** An Observation's candidates: the person's records, its LOINC code and its effective time. */
function criteriaOf(obs: Observation, subjects: readonly string[]): string | undefined {
  const loinc = codeIn(obs.code, LOINC);
  const when = obs.effectiveDateTime ?? obs.effectiveInstant ?? obs.effectivePeriod?.start;
  if (!loinc || !when) return undefined;
  return `subject=${subjects.join(',')}&code=${encodeURIComponent(`${LOINC}|${loinc}`)}&date=${encodeURIComponent(when)}`;
}

export function sameFactFinder(samePerson?: SamePerson): SameAsFinder {
  return async (tx, fresh) => {
    const asked: { index: number; key: string; criteria: string }[] = [];
    // A message is mostly about one patient: one identity lookup per subject, not per result.
    const persons = new Map<string, Promise<string[]>>();
    const personOf = (subject: string) => persons.get(subject) ?? persons.set(subject, tx.alongside((q) => samePerson!(q, subject))).get(subject)!;
    for (const { index, resource } of fresh) {
      if (resource.resourceType !== 'Observation') continue;
      const subject = resource.subject?.reference;
      const key = sameFactKey(resource, ANY_SUBJECT);
      if (!subject || !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(subject) || !key) continue;
      const subjects = samePerson ? await personOf(subject) : [subject];
      const criteria = criteriaOf(resource, subjects.length > 0 ? subjects : [subject]);
      if (criteria) asked.push({ index, key, criteria });
    }
    const same = new Map<number, string>();
    if (asked.length === 0) return same;
    const prepared = [];
    for (const a of asked) prepared.push(await tx.prepareMatch('Observation', a.criteria));
    const found = await tx.matchAll(prepared);
    for (const [k, a] of asked.entries()) {
      for (const id of found[k] ?? []) {
        const existing = await tx.read<Observation>('Observation', id);
        if (sameFactKey(existing, ANY_SUBJECT) === a.key) {
          same.set(a.index, id);
          break;
        }
      }
    }
    return same;
  };
}
