/**
 * Which labelled person each of our persons is. The simulator's `truth/identity.csv` names the
 * person behind every silo's record id (a clinic MRN, a hospital MRN, a member id, a contact
 * id, a lab patient id); our source Patients carry those ids as identifiers (the clinic's also
 * as its resource id). A person of ours is the labelled person most of its source records
 * belong to: a person that wrongly joined two labelled people still gets scored, under the one
 * with more records, and its findings about the other count as misses and false alarms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../../identity/eval/csv.ts';

/** Labelled person ids by record id (record ids of different silos never collide: their formats differ). */
export function readTruthRecords(datasetDir: string): Map<string, string> {
  const byRecord = new Map<string, string>();
  for (const row of parseCsv(readFileSync(join(datasetDir, 'truth', 'identity.csv'), 'utf8'))) {
    if (row.record_id && row.person_id) byRecord.set(row.record_id, row.person_id);
  }
  return byRecord;
}

/**
 * @param recordIdsOf - for each source Patient id, the record ids it carries (identifier values, its id)
 * @returns the labelled person, or undefined when none of its records is labelled
 */
export function truthPersonOf(patientIds: readonly string[], recordIdsOf: ReadonlyMap<string, readonly string[]>, byRecord: ReadonlyMap<string, string>): string | undefined {
  const votes = new Map<string, number>();
  for (const patientId of patientIds) {
    const persons = new Set((recordIdsOf.get(patientId) ?? []).flatMap((id) => byRecord.get(id) ?? []));
    for (const person of persons) votes.set(person, (votes.get(person) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [person, n] of votes) if (best === undefined || n > votes.get(best)! || (n === votes.get(best)! && person < best)) best = person;
  return best;
}
