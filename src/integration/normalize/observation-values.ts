/**
 * Observation values: free text → structured (free-text.ts), units → UCUM (units.ts), and
 * quantities → the unit their LOINC code is kept in (loinc-units.ts). Every replaced value
 * keeps the sender's original beside it: a parsed valueString in an `original-value` extension
 * on the Observation (or as the text of the new CodeableConcept), a converted quantity in an
 * `original-value` extension on the quantity.
 */
import type { CodeableConcept, Observation, ObservationComponent, Quantity } from '@medplum/fhirtypes';
import { LOINC, SNOMED, UCUM, addedCoding, appendCoding, codeIn, originalValue, type NormalizationChange } from './codings.ts';
import { parseFreeText } from './free-text.ts';
import { loincUnits } from './loinc-units.ts';
import { plausibleRanges } from '../quality/plausible-ranges.ts';
import { convertUnit, roundTo, ucumCodeFor } from './units.ts';

/** Blood pressure panels (LOINC): a bare `120/80` on one of these is systolic/diastolic. */
export const bloodPressurePanels: ReadonlySet<string> = new Set(['85354-9', '55284-4', '35094-2']);
export const SYSTOLIC = '8480-6';
export const DIASTOLIC = '8462-4';

function mmHg(value: number): Quantity {
  return { value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' };
}

function loincConcept(code: string, display: string, rule: string): CodeableConcept {
  return { coding: [addedCoding(LOINC, code, display, rule)], text: display };
}

/**
 * valueString → components, valueQuantity or valueCodeableConcept, when the text reads as one
 * and the Observation's code allows that reading (in place).
 */
export function structureFreeTextValue(obs: Observation): NormalizationChange[] {
  const text = obs.valueString;
  if (text === undefined) return [];
  const parsed = parseFreeText(text);
  if (!parsed) return [];
  const loinc = codeIn(obs.code, LOINC);
  const changes: NormalizationChange[] = [];
  switch (parsed.kind) {
    case 'blood-pressure': {
      if (!(parsed.labelled || (loinc && bloodPressurePanels.has(loinc))) || (obs.component?.length ?? 0) > 0) return [];
      if (loinc && !bloodPressurePanels.has(loinc)) return []; // "BP 120/80" under another code: a person should look
      const rule = 'free-text:blood-pressure';
      obs.component = [
        { code: loincConcept(SYSTOLIC, 'Systolic blood pressure', rule), valueQuantity: mmHg(parsed.systolic) },
        { code: loincConcept(DIASTOLIC, 'Diastolic blood pressure', rule), valueQuantity: mmHg(parsed.diastolic) },
      ];
      if (!loinc) changes.push(appendCoding((obs.code ??= {}), addedCoding(LOINC, '85354-9', 'Blood pressure panel with all children optional', rule), 'Observation.code'));
      delete obs.valueString;
      obs.extension = [...(obs.extension ?? []), originalValue({ valueString: text })];
      changes.push({ path: 'Observation.value', from: text, to: { systolic: parsed.systolic, diastolic: parsed.diastolic, unit: 'mm[Hg]' }, rule });
      return changes;
    }
    case 'quantity': {
      if (parsed.label && loinc && parsed.label.loinc !== loinc) return [];
      const unitText = parsed.unit ?? parsed.label?.defaultUnit;
      // A bare number stays text: with no unit it may be an identifier (a ZIP code, an account
      // number), and assuming the code's usual unit would be a guess.
      if (!unitText) return [];
      const ucum = unitText ? ucumCodeFor(unitText) : undefined;
      if (unitText && !ucum) return []; // a unit we cannot read: keep the text rather than drop the unit
      const rule = parsed.label ? `free-text:quantity:${parsed.label.loinc}` : 'free-text:quantity';
      obs.valueQuantity = {
        value: parsed.value,
        ...(parsed.comparator ? { comparator: parsed.comparator } : {}),
        ...(unitText && ucum ? { unit: unitText, system: UCUM, code: ucum.code } : {}),
      };
      if (parsed.label && !loinc) changes.push(appendCoding((obs.code ??= {}), addedCoding(LOINC, parsed.label.loinc, parsed.label.display, rule), 'Observation.code'));
      delete obs.valueString;
      obs.extension = [...(obs.extension ?? []), originalValue({ valueString: text })];
      changes.push({ path: 'Observation.value', from: text, to: obs.valueQuantity, rule });
      return changes;
    }
    case 'qualitative': {
      const rule = `free-text:qualitative:${parsed.display.toLowerCase()}`;
      obs.valueCodeableConcept = { coding: [addedCoding(SNOMED, parsed.snomed, parsed.display, rule)], text };
      delete obs.valueString;
      changes.push({ path: 'Observation.value', from: text, to: { system: SNOMED, code: parsed.snomed }, rule });
      return changes;
    }
  }
}

/** A quantity without a code system gets its UCUM code when its unit text is one we read. */
export function normalizeQuantityUnit(q: Quantity | undefined, path: string): NormalizationChange[] {
  if (!q || q.system) return [];
  const text = q.code ?? q.unit;
  if (!text) return [];
  const ucum = ucumCodeFor(text);
  if (!ucum) return [];
  q.unit ??= text;
  q.system = UCUM;
  q.code = ucum.code;
  return [{ path: `${path}.code`, from: text, to: ucum.code, rule: ucum.rule }];
}

/**
 * A UCUM quantity under a LOINC code kept in another unit is converted into that unit (in
 * place); the original quantity stays in an extension. Conversions loinc-units.ts does not
 * allow, and conversions whose result is implausible (quality/plausible-ranges.ts), are left
 * as sent.
 */
export function convertToLoincUnit(q: Quantity | undefined, loinc: string | undefined, path: string): NormalizationChange[] {
  const spec = loinc ? loincUnits[loinc] : undefined;
  if (!q || !spec || q.system !== UCUM || !q.code || q.value === undefined || q.code === spec.unit || spec.refuse?.includes(q.code)) return [];
  const converted = convertUnit(q.value, q.code, spec.unit, spec);
  if (converted === undefined) return [];
  // 12.5 g/mL hemoglobin is a sender typing mL for dL; 1250 g/dL would look normalized and be
  // nonsense. A value no person has is left as sent, for the quality check to report.
  const range = plausibleRanges[loinc!];
  if (range && range.unit === spec.unit && (converted < range.error[0] || converted > range.error[1])) return [];
  const { extension, ...original } = q;
  const factor = spec.molarMass ? ` (molar mass ${spec.molarMass} g/mol)` : spec.charge ? ` (charge ${spec.charge})` : '';
  const rule = `unit-convert:${loinc}:${q.code}->${spec.unit}${factor}`;
  q.value = roundTo(converted, spec.decimals);
  q.unit = spec.unit;
  q.code = spec.unit;
  q.extension = [...(extension ?? []), originalValue({ valueQuantity: original })];
  return [{ path, from: { value: original.value, code: original.code }, to: { value: q.value, code: q.code }, rule }];
}

function quantityChanges(q: Quantity | undefined, loinc: string | undefined, path: string): NormalizationChange[] {
  return [...normalizeQuantityUnit(q, path), ...convertToLoincUnit(q, loinc, path)];
}

function rangeChanges(ranges: Observation['referenceRange'], loinc: string | undefined, path: string): NormalizationChange[] {
  return (ranges ?? []).flatMap((r, i) => [
    ...quantityChanges(r.low, loinc, `${path}.referenceRange[${i}].low`),
    ...quantityChanges(r.high, loinc, `${path}.referenceRange[${i}].high`),
  ]);
}

/** Units and conversions on an Observation's value, components and reference ranges (in place). */
export function normalizeObservationUnits(obs: Observation): NormalizationChange[] {
  const loinc = codeIn(obs.code, LOINC);
  return [
    ...quantityChanges(obs.valueQuantity, loinc, 'Observation.valueQuantity'),
    ...rangeChanges(obs.referenceRange, loinc, 'Observation'),
    ...(obs.component ?? []).flatMap((c: ObservationComponent, i) => {
      const code = codeIn(c.code, LOINC);
      return [...quantityChanges(c.valueQuantity, code, `Observation.component[${i}].valueQuantity`), ...rangeChanges(c.referenceRange, code, `Observation.component[${i}]`)];
    }),
  ];
}
