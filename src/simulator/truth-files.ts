/**
 * The clean side of truth/: people.csv (who everyone really is), error-summary.json (eligible
 * and injected counts per silo and error kind, next to the configured rates) and
 * hospital-lab-codes.csv (the hospital's local lab codes and the LOINC each stands for).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isoDate } from './dates.ts';
import { errorKinds, rateFor, type ErrorRates } from './error-rates.ts';
import type { ErrorSummary } from './errors.ts';
import { siloNames } from './ids.ts';
import { analytes, labTests } from './lab-catalog.ts';
import { csvRow } from './output/csv.ts';
import type { Household, Person } from './types.ts';

export const peopleColumns = [
  'person_id', 'household_id', 'relationship', 'given', 'middle', 'family', 'maiden_name', 'sex', 'birth_date', 'age_at_start',
  'death_date', 'ssn', 'mobile_phone', 'email', 'language', 'address_line1', 'city', 'state', 'zip', 'home_phone',
  'moved_on', 'previous_address_line1', 'previous_city', 'previous_zip', 'previous_home_phone', 'twin_of', 'conditions',
] as const;

export function personRow(p: Person, h: Household, age: number): string {
  const now = h.residences[h.residences.length - 1]!;
  const before = h.residences.length > 1 ? h.residences[0]! : undefined;
  return csvRow([
    p.id, p.householdId, p.relationship, p.given, p.middle, p.family, p.maidenName ?? '', p.sex, isoDate(p.birthDay), age,
    p.deathDay !== undefined ? isoDate(p.deathDay) : '', p.ssn, p.mobile ?? '', p.email ?? '', p.language,
    now.address.line1, now.address.city, now.address.state, now.address.zip, now.homePhone ?? '',
    before ? isoDate(now.fromDay) : '', before?.address.line1 ?? '', before?.address.city ?? '', before?.address.zip ?? '', before?.homePhone ?? '',
    p.twinOf !== undefined ? `P${String(p.twinOf + 1).padStart(7, '0')}` : '', p.conditions.join('|'),
  ]);
}

export async function writeStaticTruth(outDir: string, summary: ErrorSummary, rates: ErrorRates): Promise<void> {
  const report: Record<string, Record<string, { configuredRate: number; eligible: number; injected: number }>> = {};
  for (const silo of siloNames) {
    for (const kind of errorKinds) {
      const c = summary[silo]?.[kind];
      if (!c) continue;
      (report[silo] ??= {})[kind] = { configuredRate: rateFor(rates, silo, kind), eligible: c.eligible, injected: c.injected };
    }
  }
  await writeFile(join(outDir, 'truth/error-summary.json'), `${JSON.stringify(report, null, 2)}\n`);
  let codes = csvRow(['local_code', 'name', 'loinc', 'unit', 'si_unit', 'si_factor']);
  for (const t of Object.values(labTests)) codes += csvRow([t.local, t.name, t.loinc, '', '', '']);
  for (const a of Object.values(analytes)) {
    const si = 'si' in a ? a.si : undefined;
    codes += csvRow([a.local, a.name, a.loinc, a.unit, si?.unit ?? '', si?.factor ?? '']);
  }
  await writeFile(join(outDir, 'truth/hospital-lab-codes.csv'), codes);
}
