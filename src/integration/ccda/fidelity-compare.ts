/**
 * Compares our mapping of a C-CDA document with the FHIR-Converter's expected bundle
 * (../shared/data/ccda/expected/ms-fhir-converter/) over a fixed, documented set of elements
 * per resource type (docs/integration.md, "C-CDA" → "Fidelity"). Value equality and path
 * walking are the HL7 v2 comparison's (../hl7v2-fhir/fidelity-compare.ts: blanks, numbers,
 * dateTimes by instant); that file's table is v2-specific, so the C-CDA table and pairing
 * live here.
 *
 * Resources are paired by type and key: their identifiers (CDA entry ids, which both sides
 * carry unchanged), else their code; repeated keys pair in order of appearance. Each compared
 * element present on either side of a pair counts once and agrees when both hold the same
 * values (as a multiset). A path `a|b` reads the first of the alternatives that has a value
 * (effectiveDateTime or effectivePeriod.start: the same start, written two ways).
 */
import type { Resource } from '@medplum/fhirtypes';
import { sameValues, valuesAt } from '../hl7v2-fhir/fidelity-compare.ts';

const EFFECTIVE = 'effectiveDateTime|effectivePeriod.start';

/** What is compared, per resource type (docs/integration.md explains each choice). */
export const ccdaComparedElements: Readonly<Record<string, readonly string[]>> = {
  Patient: ['identifier.value', 'name.family', 'name.given', 'gender', 'birthDate', 'address.line', 'address.city', 'address.state', 'address.postalCode', 'telecom.value', 'maritalStatus.coding.code', 'communication.language.coding.code'],
  Composition: ['identifier.value', 'status', '^type.coding.code', 'date', 'title', 'confidentiality', 'attester.time', 'event.period.start', 'event.period.end', 'section.code.coding.code'],
  AllergyIntolerance: ['identifier.value', '^code.coding.code', 'clinicalStatus.coding.code', 'onsetDateTime', 'criticality', 'reaction.manifestation.coding.code', 'reaction.severity'],
  Condition: ['identifier.value', '^code.coding.code', 'clinicalStatus.coding.code', 'onsetDateTime', 'abatementDateTime'],
  MedicationStatement: ['identifier.value', 'status', '^medicationCodeableConcept.coding.code', 'effectiveDateTime|effectivePeriod.start', 'effectivePeriod.end', 'dosage.doseAndRate.doseQuantity.value', 'dosage.route.coding.code'],
  Immunization: ['identifier.value', 'status', '^vaccineCode.coding.code', 'occurrenceDateTime', 'lotNumber', '^route.coding.code', '^site.coding.code', 'doseQuantity.value'],
  Observation: [
    'identifier.value', 'status', 'category.coding.code', '^code.coding.code', EFFECTIVE, 'valueQuantity.value', 'valueQuantity.unit', '^valueCodeableConcept.coding.code', 'valueString',
    'interpretation.coding.code', 'referenceRange.low.value', 'referenceRange.high.value',
  ],
  DiagnosticReport: ['identifier.value', 'status', '^code.coding.code', EFFECTIVE],
  Procedure: ['identifier.value', 'status', '^code.coding.code', 'performedDateTime|performedPeriod.start', '^bodySite.coding.code'],
  Encounter: ['identifier.value', 'status', '^type.coding.code', 'period.start', 'period.end'],
};

/**
 * Values at a path; `a|b` is the first alternative with values; a leading `^` keeps only the
 * first value: `^code.coding.code` is the code the document sent (the first coding on both
 * sides), so the translations we keep beside it are not counted against us.
 */
export function elementValues(resource: unknown, path: string): string[] {
  for (const alternative of path.split('|')) {
    const firstOnly = alternative.startsWith('^');
    const values = valuesAt(resource, alternative.replace(/^\^/, ''));
    if (values.length) return firstOnly ? values.slice(0, 1) : values;
  }
  return [];
}

function keyOf(r: Record<string, unknown>): string {
  // One Patient and one Composition per document; their identifiers are compared, not keyed on.
  if (r.resourceType === 'Patient' || r.resourceType === 'Composition') return r.resourceType;
  // Identifiers; an Observation's also with its code, as senders reuse one id for a panel's members.
  const ids = valuesAt(r, 'identifier.value').sort().join(',');
  const code = elementValues(r, '^code.coding.code|^vaccineCode.coding.code|^medicationCodeableConcept.coding.code|code.text')[0] ?? '';
  if (!ids) return code;
  return r.resourceType === 'Observation' ? `${ids}/${code}` : ids;
}

export interface CcdaMismatch {
  resourceType: string;
  key: string;
  path: string;
  expected: string[];
  actual: string[];
}

export interface CcdaComparison {
  compared: number;
  agreed: number;
  mismatches: CcdaMismatch[];
  pairs: number;
  /** Expected resources of compared types without a partner, by type. */
  unmatchedExpected: Record<string, number>;
  /** Expected resources of compared types, by type (the denominator of resource recall). */
  expectedByType: Record<string, number>;
  /** Our resources of compared types without a partner, by type. */
  unmatchedActual: Record<string, number>;
  /** Expected resources of types outside the comparison, by type. */
  notCompared: Record<string, number>;
}

function keyed(resources: readonly Resource[], type: string): Map<string, Record<string, unknown>> {
  const seen = new Map<string, number>();
  const out = new Map<string, Record<string, unknown>>();
  for (const r of resources.filter((x) => x.resourceType === type) as unknown as Record<string, unknown>[]) {
    const base = keyOf(r);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(`${base}#${n}`, r);
  }
  return out;
}

const bump = (counts: Record<string, number>, type: string, by = 1): void => {
  counts[type] = (counts[type] ?? 0) + by;
};

/** Compares expected and actual resources over ccdaComparedElements. */
export function compareCcdaResources(expected: readonly Resource[], actual: readonly Resource[], compare: (type: string, path: string) => boolean = () => true): CcdaComparison {
  const result: CcdaComparison = { compared: 0, agreed: 0, mismatches: [], pairs: 0, unmatchedExpected: {}, expectedByType: {}, unmatchedActual: {}, notCompared: {} };
  for (const r of expected) if (!ccdaComparedElements[r.resourceType]) bump(result.notCompared, r.resourceType);
  for (const [type, elements] of Object.entries(ccdaComparedElements)) {
    const mine = keyed(actual, type);
    for (const [key, theirs] of keyed(expected, type)) {
      bump(result.expectedByType, type);
      const ours = mine.get(key);
      if (!ours) {
        bump(result.unmatchedExpected, type);
        continue;
      }
      mine.delete(key);
      result.pairs++;
      for (const path of elements.filter((p) => compare(type, p))) {
        const e = elementValues(theirs, path);
        const a = elementValues(ours, path);
        if (e.length === 0 && a.length === 0) continue;
        result.compared++;
        if (sameValues(e, a)) result.agreed++;
        else result.mismatches.push({ resourceType: type, key, path, expected: e, actual: a });
      }
    }
    if (mine.size > 0) bump(result.unmatchedActual, type, mine.size);
  }
  return result;
}

type Json = Record<string, unknown>;

/**
 * The converter's representation choices, rewritten to ours before comparing (each keeps every
 * value; none drops a disagreement):
 * - medicationReference → the referenced Medication's code inline (we write medicationCodeableConcept);
 * - AllergyIntolerance without `code`: the converter repeats the allergen in every
 *   reaction.substance (and adds reactions holding only it); the allergen becomes `code` and
 *   substance-only reactions go;
 * - Encounter.class holding a code that is not a v3 ActCode (a CPT visit code): it is the
 *   encounter's type (R4 binds class to ActEncounterCode), so it is compared as type.
 */
export function normalizeExpected(resources: Resource[]): Resource[] {
  const byRef = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
  return resources.map((resource) => {
    const r = structuredClone(resource) as unknown as Json;
    const med = r.medicationReference as { reference?: string } | undefined;
    if (med?.reference) {
      const target = byRef.get(med.reference) as unknown as Json | undefined;
      if (target?.code) r.medicationCodeableConcept = target.code;
      delete r.medicationReference;
    }
    if (r.resourceType === 'AllergyIntolerance' && !r.code) {
      const reactions = (r.reaction as Json[] | undefined) ?? [];
      const substance = reactions.map((x) => x.substance as Json | undefined).find(Boolean);
      if (substance) r.code = substance;
      const kept = reactions.filter((x) => x.manifestation || x.severity).map(({ substance: _s, ...rest }) => rest);
      if (kept.length) r.reaction = kept;
      else delete r.reaction;
    }
    if (r.resourceType === 'Encounter') {
      const cls = r.class as { system?: string; code?: string; display?: string } | undefined;
      if (cls?.code && cls.system !== 'http://terminology.hl7.org/CodeSystem/v3-ActCode') {
        r.type = [{ coding: [cls] }, ...((r.type as Json[] | undefined) ?? [])];
        delete r.class;
      }
    }
    return r as unknown as Resource;
  });
}
