/**
 * OBX-5 → Observation.value[x], chosen by the value type in OBX-2 (HL7 table 0125), per the
 * V2-to-FHIR IG's OBX[Observation] map and its ValueType concept map:
 *
 * | OBX-2            | value[x]                | notes                                            |
 * |------------------|-------------------------|--------------------------------------------------|
 * | NM               | valueQuantity           | units from OBX-6; a non-number is kept as string |
 * | SN               | Quantity / Range / Ratio| `<^5` comparator, `^10^-^20` range, `^1^:^128`   |
 * | ST, TX, FT       | valueString             | repetitions joined by a line break               |
 * | CE, CWE, CNE, CF | valueCodeableConcept    | first repetition                                 |
 * | DT, TS, DTM      | valueDateTime           | with the sender's precision                      |
 * | TM               | valueTime               |                                                  |
 * | DR / NR          | valuePeriod / valueRange|                                                  |
 * | ED, RP           | none here               | a document: see document-reference.ts            |
 * | other            | valueString             | the components joined by `^`, nothing dropped    |
 */
import type { Observation, Quantity } from '@medplum/fhirtypes';
import { codeableConcept } from './coding.ts';
import type { MappingContext } from './context.ts';
import { decimal, quantityUnits } from './datatypes.ts';
import { invalidDate } from './hl7-dates.ts';
import { comp, valued, type Rep, type Seg } from './segments.ts';

export type ObservationValue = Pick<
  Observation,
  'valueQuantity' | 'valueString' | 'valueCodeableConcept' | 'valueDateTime' | 'valueTime' | 'valueRange' | 'valueRatio' | 'valueInteger' | 'valueBoolean' | 'valuePeriod'
>;

const comparators: Record<string, Quantity['comparator']> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Value types that carry a document rather than a value (mapped to DocumentReference). */
export const documentValueTypes: ReadonlySet<string> = new Set(['ED', 'RP']);

function repText(rep: Rep): string {
  return rep
    .map((c) => c.join('&'))
    .join('^')
    .replace(/\^+$/, '');
}

/** SN (structured numeric, ch. 2A.73): comparator ^ num1 ^ separator/suffix ^ num2. */
function structuredNumeric(rep: Rep, units: Rep | undefined): ObservationValue {
  const comparator = comp(rep, 1);
  const n1 = decimal(comp(rep, 2));
  const separator = comp(rep, 3);
  const n2 = decimal(comp(rep, 4));
  const unit = quantityUnits(units);
  if (n1 !== undefined && n2 !== undefined && (separator === '-' || separator === ':' || separator === '/')) {
    return separator === '-'
      ? { valueRange: { low: { value: n1, ...unit }, high: { value: n2, ...unit } } }
      : { valueRatio: { numerator: { value: n1 }, denominator: { value: n2 } } };
  }
  if (n1 !== undefined && !separator) {
    const c = comparator ? comparators[comparator] : undefined;
    if (!comparator || c) return { valueQuantity: { value: n1, ...(c ? { comparator: c } : {}), ...unit } };
  }
  // `=`, `<>` or a suffix (`+`): no FHIR Quantity says that; keep the sender's text.
  return { valueString: repText(rep) };
}

/** TM (HHMM[SS[.S]][+/-ZZZZ]) → FHIR time (hh:mm:ss); FHIR time has no zone, so it is dropped. */
function timeValue(text: string, element: string): string {
  const m = /^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,4}))?(?:[+-]\d{4})?$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2] ?? 0) > 59 || Number(m[3] ?? 0) > 59) throw invalidDate(text, element, 'expected HH[MM[SS[.S]]]');
  return `${m[1]}:${m[2] ?? '00'}:${m[3] ?? '00'}${m[4] ? `.${m[4]}` : ''}`;
}

/** Text types: their repetitions are the lines of one text, not several values. */
export const textValueTypes: ReadonlySet<string> = new Set(['ST', 'TX', 'FT']);

/** OBX-5 as Observation.value[x]; empty when OBX-5 is empty or holds a document. */
export function observationValue(obx: Seg, ctx: MappingContext): ObservationValue {
  const reps = obx.reps(5);
  return reps[0] ? valueOf(obx, reps, ctx) : {};
}

/**
 * A repeating OBX-5 of a non-text type: one value per repetition, each to become a
 * component (IG ORU_R01 message map: "when OBX-5 repeats, the standard mapping is to use
 * Observation.component", OBX[Observation-Component] map).
 */
export function componentValues(obx: Seg, ctx: MappingContext): ObservationValue[] {
  const type = (obx.text(2) ?? '').toUpperCase();
  const reps = obx.reps(5);
  if (reps.length < 2 || textValueTypes.has(type) || documentValueTypes.has(type)) return [];
  return reps.map((rep) => valueOf(obx, [rep], ctx));
}

function valueOf(obx: Seg, reps: Rep[], ctx: MappingContext): ObservationValue {
  const type = (obx.text(2) ?? '').toUpperCase();
  const first = reps[0]!;
  if (documentValueTypes.has(type)) return {};
  const element = obx.element(5);
  const units = obx.rep(6);
  switch (type) {
    case 'NM': {
      const value = decimal(comp(first, 1));
      return value === undefined ? { valueString: repText(first) } : { valueQuantity: { value, ...quantityUnits(units) } };
    }
    case 'SN':
      return structuredNumeric(first, units);
    case 'CE':
    case 'CWE':
    case 'CNE':
    case 'CF': {
      const concept = codeableConcept(first);
      return concept ? { valueCodeableConcept: concept } : {};
    }
    case 'DT':
    case 'TS':
    case 'DTM': {
      const value = ctx.dateTimeIn(first, 1, element);
      return value ? { valueDateTime: value } : {};
    }
    case 'TM':
      return { valueTime: timeValue(comp(first, 1) ?? '', element) };
    case 'DR': {
      const start = ctx.dateTimeIn(first, 1, element);
      const end = ctx.dateTimeIn(first, 2, element);
      return start || end ? { valuePeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {};
    }
    case 'NR': {
      const low = decimal(comp(first, 1));
      const high = decimal(comp(first, 2));
      return low !== undefined || high !== undefined ? { valueRange: { ...(low !== undefined ? { low: { value: low } } : {}), ...(high !== undefined ? { high: { value: high } } : {}) } } : {};
    }
    case 'ST':
    case 'TX':
    case 'FT':
      // Text keeps its inner spacing: only the ends are trimmed.
      return { valueString: reps.map((r) => r.map((c) => c.join('&')).join('^')).join('\n').trim() };
    default:
      return valued(repText(first)) ? { valueString: reps.map(repText).join('\n') } : {};
  }
}

/** Reference range (OBX-7): the text, and low/high when it reads as `low-high`, `<high`, `>low`. */
export function referenceRange(obx: Seg): NonNullable<Observation['referenceRange']>[number] | undefined {
  const text = obx.text(7);
  if (!text) return undefined;
  const unit = quantityUnits(obx.rep(6));
  const range = /^\s*(-?\d+(?:\.\d+)?)\s*(?:-|to)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (range) return { low: { value: Number(range[1]), ...unit }, high: { value: Number(range[2]), ...unit }, text };
  const bound = /^\s*([<>])=?\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (bound) return bound[1] === '<' ? { high: { value: Number(bound[2]), ...unit }, text } : { low: { value: Number(bound[2]), ...unit }, text };
  return { text };
}
