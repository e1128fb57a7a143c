/**
 * Compares our mapping of a message with a reference mapping (the conformance pairs in
 * /work/shared/data/hl7v2/expected/) over a fixed, documented set of elements per resource
 * type (docs/integration.md, "Fidelity"). Used by fidelity.test.ts.
 *
 * Resources are paired by type and a key (a Patient is the message's Patient; Observations by
 * code and order of appearance; orders by their identifiers …). For each pair, each compared
 * element present on either side counts once, and agrees when both sides hold the same values
 * (order-insensitive, as a multiset). Expected resources without a partner are reported, not
 * counted as elements: they come from segments outside this layer's scope (PR1, PDA, ACC …)
 * and are listed by type so the gap stays visible.
 *
 * Value equality: leading/trailing blanks are ignored (v2 senders pad fields); numbers compare
 * as numbers; two dateTimes with a time agree when they are the same instant, or the same
 * wall-clock time (the reference converter renders offset-less v2 times in the zone of the
 * machine that produced the expected files, which an offset cannot recover).
 */
import type { Resource } from '@medplum/fhirtypes';

interface ComparedType {
  /** The pairing key of a resource (its position among resources of its type is appended when keys repeat). */
  key: (resource: Record<string, unknown>) => string;
  elements: readonly string[];
}

const first = (r: Record<string, unknown>, path: string): string => valuesAt(r, path)[0] ?? '';
const sorted = (r: Record<string, unknown>, path: string): string => valuesAt(r, path).map(clean).sort().join(',');

/** What is compared, per resource type (docs/integration.md explains each choice). */
export const comparedTypes: Readonly<Record<string, ComparedType>> = {
  Patient: {
    key: () => 'patient',
    elements: [
      'identifier.value', 'name.family', 'name.given', 'name.prefix', 'name.suffix', 'gender', 'birthDate', 'address.line', 'address.city',
      'address.state', 'address.postalCode', 'address.country', 'telecom.value', 'maritalStatus.coding.code', 'deceasedDateTime',
      'deceasedBoolean', 'multipleBirthInteger', 'multipleBirthBoolean',
    ],
  },
  Encounter: {
    key: (r) => sorted(r, 'identifier.value') || 'encounter',
    elements: ['class.code', 'status', 'period.start', 'period.end', 'identifier.value', 'type.coding.code', 'serviceType.coding.code', 'hospitalization.admitSource.coding.code', 'hospitalization.dischargeDisposition.coding.code'],
  },
  RelatedPerson: {
    key: (r) => first(r, 'name.family') || first(r, 'identifier.value'),
    elements: ['name.family', 'name.given', 'identifier.value', 'relationship.coding.code', 'telecom.value', 'address.line', 'address.city', 'gender', 'birthDate'],
  },
  Coverage: {
    key: (r) => first(r, 'payor.display') || 'coverage',
    elements: ['status', 'period.start', 'period.end', 'subscriberId', 'order'],
  },
  AllergyIntolerance: {
    key: (r) => first(r, 'code.coding.code') || first(r, 'code.text'),
    elements: ['code.coding.code', 'category', 'criticality', 'onsetDateTime', 'reaction.severity'],
  },
  Condition: {
    key: (r) => first(r, 'code.coding.code') || first(r, 'code.text'),
    elements: ['code.coding.code', 'onsetDateTime', 'recordedDate'],
  },
  Observation: {
    key: (r) => first(r, 'code.coding.code') || first(r, 'code.text'),
    elements: [
      'code.coding.code', 'status', 'valueQuantity.value', 'valueQuantity.unit', 'valueString', 'valueCodeableConcept.coding.code', 'valueDateTime',
      'interpretation.coding.code', 'referenceRange.text', 'effectiveDateTime',
    ],
  },
  DiagnosticReport: {
    key: (r) => first(r, 'code.coding.code') || first(r, 'code.text'),
    elements: ['code.coding.code', 'status', 'identifier.value', 'effectiveDateTime', 'issued'],
  },
  ServiceRequest: {
    key: (r) => sorted(r, 'identifier.value') || first(r, 'code.coding.code'),
    elements: ['identifier.value', 'code.coding.code', 'status', 'authoredOn', 'priority'],
  },
  Specimen: {
    key: (r) => first(r, 'type.coding.code') || first(r, 'type.text') || 'specimen',
    elements: ['type.coding.code', 'collection.collectedDateTime', 'receivedTime'],
  },
  Appointment: {
    key: (r) => sorted(r, 'identifier.value') || 'appointment',
    elements: ['identifier.value', 'status', 'start', 'end', 'minutesDuration', 'appointmentType.coding.code', 'comment'],
  },
  Immunization: {
    key: (r) => `${first(r, 'vaccineCode.coding.code')}@${first(r, 'occurrenceDateTime').slice(0, 10)}`,
    elements: ['vaccineCode.coding.code', 'status', 'occurrenceDateTime', 'lotNumber', 'expirationDate', 'doseQuantity.value', 'primarySource', 'site.coding.code', 'route.coding.code'],
  },
  DocumentReference: {
    key: (r) => first(r, 'masterIdentifier.value') || 'document',
    elements: ['masterIdentifier.value', 'status', 'docStatus', 'type.coding.code', 'context.period.start', 'content.attachment.contentType', 'content.attachment.creation'],
  },
  MedicationRequest: {
    key: (r) => sorted(r, 'identifier.value') || first(r, 'medicationCodeableConcept.coding.code'),
    elements: ['medicationCodeableConcept.coding.code', 'status', 'intent', 'authoredOn', 'dispenseRequest.quantity.value', 'dispenseRequest.numberOfRepeatsAllowed'],
  },
};

/** Every leaf value at a dotted path; arrays are walked at every step (FHIRPath-like). */
export function valuesAt(value: unknown, path: string): string[] {
  let current: unknown[] = [value];
  for (const step of path.split('.')) {
    current = current.flatMap((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [(v as Record<string, unknown>)[step]] : [])).flatMap((v) => (Array.isArray(v) ? v : [v]));
  }
  return current.filter((v) => v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))).map((v) => String(v));
}

const clean = (v: string): string => v.trim();
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** One expected and one actual value agree (see the file comment). */
export function sameValue(expected: string, actual: string): boolean {
  const e = clean(expected);
  const a = clean(actual);
  if (e === a) return true;
  if (NUMBER.test(e) && NUMBER.test(a)) return Number(e) === Number(a);
  const de = DATE_TIME.exec(e);
  const da = DATE_TIME.exec(a);
  if (de && da) return Date.parse(e) === Date.parse(a) || de[1]!.padEnd(19, ':00') === da[1]!.padEnd(19, ':00');
  return false;
}

/** Two value lists agree as multisets under sameValue. */
export function sameValues(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length !== actual.length) return false;
  const unused = [...actual];
  return expected.every((e) => {
    const i = unused.findIndex((a) => sameValue(e, a));
    if (i < 0) return false;
    unused.splice(i, 1);
    return true;
  });
}

export interface Mismatch {
  resourceType: string;
  key: string;
  path: string;
  expected: string[];
  actual: string[];
}

export interface Comparison {
  compared: number;
  agreed: number;
  /** Expected resources some of whose elements the caller's `skip` left out, by type. */
  partlySkipped: Record<string, number>;
  mismatches: Mismatch[];
  /** Expected resources of compared types that had no partner, by type. */
  unmatchedExpected: Record<string, number>;
  /** Our resources of compared types that had no partner, by type. */
  unmatchedActual: Record<string, number>;
  /** Expected resources of types outside the comparison, by type. */
  notCompared: Record<string, number>;
  pairs: number;
}

function keyed(resources: readonly Resource[], type: string): Map<string, Record<string, unknown>> {
  const seen = new Map<string, number>();
  const out = new Map<string, Record<string, unknown>>();
  for (const r of resources.filter((x) => x.resourceType === type) as unknown as Record<string, unknown>[]) {
    const base = comparedTypes[type]!.key(r);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(`${base}#${n}`, r);
  }
  return out;
}

const bump = (counts: Record<string, number>, type: string, by = 1) => {
  counts[type] = (counts[type] ?? 0) + by;
};

export interface CompareOptions {
  /** The compared types for this message (defaults to all of comparedTypes). */
  types?: readonly string[];
  /** Elements of an expected resource to leave out (the resource is counted in `partlySkipped`). */
  skip?: (resource: Record<string, unknown>) => readonly string[];
}

/** Compares two sets of resources over the compared types. */
export function compareResources(expected: readonly Resource[], actual: readonly Resource[], options: CompareOptions = {}): Comparison {
  const types = options.types ?? Object.keys(comparedTypes);
  const result: Comparison = { compared: 0, agreed: 0, partlySkipped: {}, mismatches: [], unmatchedExpected: {}, unmatchedActual: {}, notCompared: {}, pairs: 0 };
  for (const r of expected) if (!types.includes(r.resourceType)) bump(result.notCompared, r.resourceType);
  for (const type of types) {
    const mine = keyed(actual, type);
    for (const [key, theirs] of keyed(expected, type)) {
      const ours = mine.get(key);
      if (!ours) {
        bump(result.unmatchedExpected, type);
        continue;
      }
      mine.delete(key);
      result.pairs++;
      const skipped = options.skip?.(theirs) ?? [];
      if (skipped.length > 0) bump(result.partlySkipped, type);
      for (const path of comparedTypes[type]!.elements.filter((p) => !skipped.includes(p))) {
        const e = valuesAt(theirs, path);
        const a = valuesAt(ours, path);
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
