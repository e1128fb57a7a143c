/**
 * The same fact from two sources: the hospital and the reference lab both report one HbA1c.
 * `sameFactKey` gives two Observations the same key when they say the same thing about the
 * same person, so the caller can keep one resource and add the second source's Provenance
 * instead of storing a duplicate.
 *
 * The rule — all of these equal:
 * 1. the patient: `options.subjectKey` (the caller's resolved identity: the stored Patient id,
 *    or the person the identity layer linked), else `subject.reference`, else the subject's
 *    identifier `system|value`;
 * 2. the LOINC code (a sent or normalized coding; no LOINC, no key);
 * 3. the effective time: effectiveDateTime / effectiveInstant / effectivePeriod.start, as the
 *    same instant (offsets normalized to UTC) at the precision sent; a date stays a date;
 * 4. the value: a quantity converted to the LOINC's key unit and rounded to the grid labs print
 *    (loinc-units.ts: glucose to 0.1 mmol/L, cholesterol to 1 mg/dL), else to canonical UCUM
 *    base units at 4 significant digits; a coded value by its first SNOMED/LOINC/other coding;
 *    a string by its trimmed, case-folded text; components by each code and value.
 *
 * Limits (documented in docs/integration.md): a value converted from the finer unit can land
 * on the neighbouring grid point when the two labs' conversion factors differ in the last digit
 * and the value sits on a rounding boundary; different time precision (one source sends the
 * minute, the other only the day) gives different keys; a corrected result (another value)
 * is another fact; status is not part of the key, but an entered-in-error or cancelled
 * Observation has none.
 */
import type { Coding, Observation, ObservationComponent, Quantity, Reference, Resource } from '@medplum/fhirtypes';
import { toCanonical } from '../../record/search/ucum.ts';
import { LOINC, ORIGINAL_VALUE_EXTENSION, SNOMED, UCUM, codeIn } from './codings.ts';
import { loincUnits } from './loinc-units.ts';
import { convertUnit, roundTo, ucumCodeFor } from './units.ts';

export interface SameFactOptions {
  /** The patient's resolved identity; without it the subject reference (or identifier) is used. */
  subjectKey?: string;
}

function subjectOf(subject: Reference | undefined): string | undefined {
  if (subject?.reference) return subject.reference;
  if (subject?.identifier?.value) return `${subject.identifier.system ?? ''}|${subject.identifier.value}`;
  return undefined;
}

/** The effective time as one string per instant: UTC when there is a time, the date otherwise. */
export function effectiveKey(obs: Observation): string | undefined {
  const value = obs.effectiveDateTime ?? obs.effectiveInstant ?? obs.effectivePeriod?.start;
  if (!value) return undefined;
  if (!value.includes('T')) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function ucumOf(q: Quantity): string | undefined {
  if (q.system === UCUM) return q.code ?? q.unit;
  if (q.system) return undefined;
  const text = q.code ?? q.unit;
  return text ? ucumCodeFor(text)?.code : undefined;
}

/** The sender's quantity if normalization converted it (fewer roundings), else the quantity. */
function sentQuantity(q: Quantity): Quantity {
  return q.extension?.find((e) => e.url === ORIGINAL_VALUE_EXTENSION)?.valueQuantity ?? q;
}

export function quantityKey(q: Quantity, loinc: string | undefined): string | undefined {
  const sent = sentQuantity(q);
  if (sent.value === undefined) return undefined;
  const comparator = sent.comparator ?? '';
  const unit = ucumOf(sent);
  const spec = loinc ? loincUnits[loinc] : undefined;
  if (spec && unit && !spec.refuse?.includes(unit)) {
    const inKeyUnit = convertUnit(sent.value, unit, spec.key.unit, spec);
    if (inKeyUnit !== undefined) return `${comparator}${roundTo(inKeyUnit, spec.key.decimals)} ${spec.key.unit}`;
  }
  if (unit) {
    const canonical = toCanonical(sent.value, unit);
    if (canonical) return `${comparator}${Number(Number(canonical.value).toPrecision(4))} ${canonical.unit}`;
  }
  return `${comparator}${sent.value} ${sent.code ?? sent.unit ?? ''}`.trim();
}

function codingKey(codings: Coding[] | undefined): string | undefined {
  const coded = (codings ?? []).filter((c) => c.code);
  const pick = coded.find((c) => c.system === SNOMED) ?? coded.find((c) => c.system === LOINC) ?? [...coded].sort((a, b) => `${a.system}|${a.code}`.localeCompare(`${b.system}|${b.code}`))[0];
  return pick ? `${pick.system ?? ''}|${pick.code}` : undefined;
}

function valueKey(v: Pick<Observation, 'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger'>, loinc: string | undefined): string | undefined {
  if (v.valueQuantity) return quantityKey(v.valueQuantity, loinc);
  if (v.valueCodeableConcept) return codingKey(v.valueCodeableConcept.coding) ?? v.valueCodeableConcept.text?.trim().toLowerCase();
  if (v.valueString !== undefined) return `"${v.valueString.trim().replace(/\s+/g, ' ').toLowerCase()}"`;
  if (v.valueBoolean !== undefined) return String(v.valueBoolean);
  if (v.valueInteger !== undefined) return String(v.valueInteger);
  return undefined;
}

function componentsKey(components: ObservationComponent[]): string | undefined {
  const parts = components.map((c) => {
    const code = codeIn(c.code, LOINC);
    const value = valueKey(c, code);
    return code && value ? `${code}=${value}` : undefined;
  });
  if (parts.some((p) => p === undefined)) return undefined;
  return `{${parts.sort().join(';')}}`;
}

/**
 * The same-fact key of an Observation, or undefined when it has no key (not an Observation,
 * no LOINC, no effective time, no value, or entered-in-error / cancelled).
 * @param resource - an Observation, best after normalizeResource (LOINC and UCUM added)
 * @param options - the patient's resolved identity, when the caller knows it
 */
export function sameFactKey(resource: Resource, options: SameFactOptions = {}): string | undefined {
  if (resource.resourceType !== 'Observation') return undefined;
  const obs = resource;
  if (obs.status === 'entered-in-error' || obs.status === 'cancelled') return undefined;
  const subject = options.subjectKey ?? subjectOf(obs.subject);
  const loinc = codeIn(obs.code, LOINC);
  const effective = effectiveKey(obs);
  const value = (obs.component?.length ?? 0) > 0 && !obs.valueQuantity && !obs.valueCodeableConcept && obs.valueString === undefined
    ? componentsKey(obs.component!)
    : valueKey(obs, loinc);
  if (!subject || !loinc || !effective || value === undefined) return undefined;
  return `Observation|${subject}|${LOINC}|${loinc}|${effective}|${value}`;
}
