/**
 * Observation values: units that fit the code, and values a person can have
 * (plausible-ranges.ts). A quantity is compared after conversion into the range's unit, so
 * 5.2 mmol/L glucose is checked as 94 mg/dL; one whose unit we cannot read is only reported as
 * such (its value cannot be judged).
 */
import type { Observation, Quantity } from '@medplum/fhirtypes';
import { loincUnits } from '../normalize/loinc-units.ts';
import { convertUnit, ucumCodeFor } from '../normalize/units.ts';
import { finding, type QualityFinding } from './finding.ts';
import { plausibleRanges } from './plausible-ranges.ts';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

function loincOf(concept: Observation['code'] | undefined): string | undefined {
  return concept?.coding?.find((c) => c.system === LOINC && c.code)?.code;
}

function ucumOf(q: Quantity): string | undefined {
  if (q.system === UCUM) return q.code;
  if (q.system) return undefined;
  const text = q.code ?? q.unit;
  return text ? ucumCodeFor(text)?.code : undefined;
}

/** The quantity's value in `unit`, if it converts. */
function valueIn(q: Quantity, unit: string, loinc: string): number | undefined {
  const from = ucumOf(q);
  if (q.value === undefined || !from) return undefined;
  const spec = loincUnits[loinc];
  if (spec?.refuse?.includes(from)) return undefined;
  return convertUnit(q.value, from, unit, spec ?? {});
}

function checkQuantity(q: Quantity | undefined, loinc: string | undefined, location: string): { findings: QualityFinding[]; value?: number } {
  if (!q || q.value === undefined) return { findings: [] };
  const unit = ucumOf(q);
  const text = q.code ?? q.unit;
  if (!unit) {
    return text && !q.system ? { findings: [finding('unit-not-ucum', 'information', `${location}.unit`, `unit '${text}' is not UCUM and could not be read as UCUM`)] } : { findings: [] };
  }
  if (!loinc) return { findings: [] };
  const range = plausibleRanges[loinc];
  const expected = range?.unit ?? loincUnits[loinc]?.unit;
  if (!expected) return { findings: [] };
  const value = valueIn(q, expected, loinc);
  if (value === undefined) {
    return { findings: [finding('unit-incompatible', 'warning', `${location}.code`, `unit '${unit}' does not convert to ${expected}, the unit of LOINC ${loinc}`)] };
  }
  if (!range) return { findings: [], value };
  const shown = `${Number(value.toPrecision(6))} ${range.unit}`;
  if (value < range.error[0] || value > range.error[1]) {
    return { findings: [finding('value-implausible', 'error', `${location}.value`, `${range.name} ${shown} is outside ${range.error[0]}-${range.error[1]} ${range.unit}, not a value a living person has`)], value };
  }
  if (value < range.warning[0] || value > range.warning[1]) {
    return { findings: [finding('value-unusual', 'warning', `${location}.value`, `${range.name} ${shown} is outside ${range.warning[0]}-${range.warning[1]} ${range.unit}`)], value };
  }
  return { findings: [], value };
}

export function checkObservationValues(obs: Observation): QualityFinding[] {
  const found: QualityFinding[] = [];
  const values = new Map<string, { value: number; location: string }>();
  const add = (q: Quantity | undefined, loinc: string | undefined, location: string) => {
    const result = checkQuantity(q, loinc, location);
    found.push(...result.findings);
    if (loinc && result.value !== undefined) values.set(loinc, { value: result.value, location });
  };
  add(obs.valueQuantity, loincOf(obs.code), 'Observation.valueQuantity');
  (obs.component ?? []).forEach((c, i) => add(c.valueQuantity, loincOf(c.code), `Observation.component[${i}].valueQuantity`));
  const systolic = values.get(SYSTOLIC);
  const diastolic = values.get(DIASTOLIC);
  if (systolic && diastolic && diastolic.value >= systolic.value) {
    found.push(finding('bp-diastolic-not-below-systolic', 'error', diastolic.location, `diastolic ${diastolic.value} is not below systolic ${systolic.value} mm[Hg]`));
  }
  return found;
}
