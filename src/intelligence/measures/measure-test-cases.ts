/**
 * The labelled test patients shipped with the measure content: one transaction Bundle per
 * patient holding the patient's resources and the expected MeasureReport (profile
 * test-case-cqfm, from MADiE). The MeasureReport is split off here: it is the answer, not
 * input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, MeasureReport, Resource } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import type { MeasureDefinition } from './measure-content.ts';
import { measurementPeriod, type MeasurementPeriod } from './measurement-period.ts';
import { populationCodes, type PopulationCode } from './populations.ts';

export interface MeasureTestCase {
  measureId: string;
  uuid: string;
  /** MADiE's test-case name, e.g. "DENEXPass HospiceEncDuringMP". */
  name: string;
  period: MeasurementPeriod;
  /** Expected count per population code, from the MeasureReport. */
  expected: Partial<Record<PopulationCode, number>>;
  /** The patient's resources (MeasureReport removed). */
  bundle: Bundle;
}

interface ExpectedResultEntry {
  uuid: string;
  name: string;
  file: string;
}

/** Reads every test case of one measure folder. */
export function loadMeasureTestCases(dir: string, measure: Pick<MeasureDefinition, 'id' | 'folder'>): MeasureTestCase[] {
  const folder = join(dir, measure.folder);
  const index = JSON.parse(readFileSync(join(folder, 'expected-results.json'), 'utf8')) as ExpectedResultEntry[];
  return index.map((entry) => {
    const source = JSON.parse(readFileSync(join(folder, entry.file), 'utf8')) as Bundle;
    const entries = source.entry ?? [];
    const report = entries.map((e) => e.resource).find((r): r is MeasureReport => r?.resourceType === 'MeasureReport');
    if (!report) throw new LongitudeError('LNG_MEASURE_CONTENT_INVALID', `${join(folder, entry.file)} has no expected MeasureReport`);
    const resources = entries.flatMap((e) => (e.resource && e.resource.resourceType !== 'MeasureReport' ? [e.resource as Resource] : []));
    return {
      measureId: measure.id,
      uuid: entry.uuid,
      name: entry.name,
      period: measurementPeriod(report.period.start?.slice(0, 10) ?? '', report.period.end?.slice(0, 10) ?? ''),
      expected: expectedCounts(report),
      bundle: { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) },
    };
  });
}

/** Population counts of the report's first group, by population code. */
export function expectedCounts(report: MeasureReport): Partial<Record<PopulationCode, number>> {
  const counts: Partial<Record<PopulationCode, number>> = {};
  for (const population of report.group?.[0]?.population ?? []) {
    const code = population.code?.coding?.[0]?.code;
    if (code && (populationCodes as readonly string[]).includes(code)) counts[code as PopulationCode] = population.count ?? 0;
  }
  return counts;
}
