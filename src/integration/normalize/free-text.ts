/**
 * Free-text values → structured values: what a clinician or an interface typed where a code or
 * a number belonged (`BP 130/85`, `A1c 7.2%`, `93 mg/dL`, `pos`). A pure parser: it says what
 * the text reads as, and the caller (normalize-resource.ts) decides whether the resource's
 * context allows that reading — a bare `120/80` is a blood pressure on a blood-pressure
 * Observation, and could be a date or a titre anywhere else.
 *
 * It never throws and never guesses a number: the value is the decimal as written (`7.20` →
 * 7.2), and text that is not entirely one of these shapes is not parsed at all.
 */
import { ucumCodeFor } from './units.ts';

export type Comparator = '<' | '<=' | '>' | '>=';

/** What a label in front of a number says was measured (`A1c`, `BP`, `HR`). */
export interface AnalyteLabel {
  loinc: string;
  display: string;
  /** UCUM unit assumed when the text gives none (`A1c 7.2` is a percentage). */
  defaultUnit?: string;
}

export type FreeTextValue =
  | { kind: 'blood-pressure'; systolic: number; diastolic: number; labelled: boolean }
  | { kind: 'quantity'; value: number; comparator?: Comparator; unit?: string; label?: AnalyteLabel }
  | { kind: 'qualitative'; snomed: string; display: string };

const bloodPressureLabel = /^(?:bp|b\/p|blood\s+pressure|nibp)$/i;

const labels: readonly [RegExp, AnalyteLabel][] = [
  [/^(?:hb\s*a1c|hgb\s*a1c|hemoglobin\s+a1c|haemoglobin\s+a1c|a1c)$/i, { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', defaultUnit: '%' }],
  [/^(?:glucose|glu|bg|blood\s+glucose)$/i, { loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }],
  [/^(?:hr|pulse|heart\s+rate)$/i, { loinc: '8867-4', display: 'Heart rate', defaultUnit: '/min' }],
  [/^(?:rr|resp|respiratory\s+rate)$/i, { loinc: '9279-1', display: 'Respiratory rate', defaultUnit: '/min' }],
  [/^bmi$/i, { loinc: '39156-5', display: 'Body mass index (BMI) [Ratio]', defaultUnit: 'kg/m2' }],
  [/^(?:temp|temperature)$/i, { loinc: '8310-5', display: 'Body temperature' }],
  [/^(?:wt|weight)$/i, { loinc: '29463-7', display: 'Body weight' }],
];

/**
 * Qualitative results (SNOMED CT qualifier values): the words labs and clinicians use for them.
 * `+` and `-` alone are included: they are how point-of-care tests are charted.
 */
const qualitative: readonly [RegExp, { snomed: string; display: string }][] = [
  [/^(?:pos|positive|\+|pos\.)$/i, { snomed: '10828004', display: 'Positive' }],
  [/^(?:neg|negative|-|neg\.)$/i, { snomed: '260385009', display: 'Negative' }],
  [/^detected$/i, { snomed: '260373001', display: 'Detected' }],
  [/^(?:not\s+detected|undetected|nd)$/i, { snomed: '260415000', display: 'Not detected' }],
  [/^reactive$/i, { snomed: '11214006', display: 'Reactive' }],
  [/^(?:non-?reactive|nr)$/i, { snomed: '131194007', display: 'Non-Reactive' }],
];

const number = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)`;
const bloodPressure = new RegExp(String.raw`^(?:([a-z][a-z0-9 /]*?)\s*[:=]?\s+)?(${number})\s*/\s*(${number})\s*(?:mm\s*\[?hg\]?)?$`, 'i');
const quantity = new RegExp(String.raw`^(?:([a-z][a-z0-9 /]*?)\s*[:=]?\s+)?(<=|>=|<|>)?\s*(${number})\s*(\S.*)?$`, 'i');
/** A unit: one token not starting with a digit (`mg/dL`, `%`, `kg/m2`), `10*3/uL`, or `mm Hg`. */
const unitShape = /^(?:[^\s\d.+-]\S*|10[*^]\S+|mm hg)$/i;
/**
 * UCUM reads `S012018` as siemens to the 12018th power; in a value it is the tail of an
 * identifier (`34022747S012018`). Real units carry one-digit exponents (`m2`, `/mm3`) or powers
 * of ten (`10*3/uL`), never a run of digits.
 */
function identifierLike(unit: string): boolean {
  return /\d{2,}/.test(unit.replace(/10[*^]\d+|x?10e\d+/gi, ''));
}
const labelOnlyColon = /^(.+?)\s*[:=]\s*(.*)$/;

/** The decimal as written, or undefined for text that is not one (`1.2.3`, `Infinity`). */
function decimal(text: string): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function labelOf(text: string | undefined): AnalyteLabel | undefined | null {
  if (text === undefined) return undefined;
  const found = labels.find(([pattern]) => pattern.test(text.trim()));
  // null: a label we do not know, so the text is not one of our shapes
  return found ? found[1] : null;
}

/**
 * What a free-text value reads as, or undefined.
 * @param text - the value as sent, e.g. `BP 130/85`, `A1c: 7.2 %`, `<5 mg/dL`, `neg`
 */
export function parseFreeText(text: string): FreeTextValue | undefined {
  if (typeof text !== 'string' || text.length > 200) return undefined;
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return undefined;
  for (const [pattern, concept] of qualitative) if (pattern.test(trimmed)) return { kind: 'qualitative', ...concept };

  // "BP: 130/85" and "A1c: 7.2%": a label before a colon may be followed without a space.
  const colon = labelOnlyColon.exec(trimmed);
  const candidates = colon ? [trimmed, `${colon[1]} ${colon[2]}`] : [trimmed];
  for (const candidate of candidates) {
    const bp = bloodPressure.exec(candidate);
    if (bp) {
      const label = bp[1]?.replace(/[:=]$/, '').trim();
      if (label !== undefined && !bloodPressureLabel.test(label)) continue;
      const systolic = decimal(bp[2]!);
      const diastolic = decimal(bp[3]!);
      if (systolic !== undefined && diastolic !== undefined) return { kind: 'blood-pressure', systolic, diastolic, labelled: label !== undefined };
    }
    const q = quantity.exec(candidate);
    if (q) {
      const label = labelOf(q[1]?.replace(/[:=]$/, ''));
      if (label === null) continue;
      const value = decimal(q[3]!);
      if (value === undefined) continue;
      const unit = q[4]?.trim();
      // A unit must be one we can read as UCUM: "5 apples" and "1e5" are not quantities.
      if (unit !== undefined && (!unitShape.test(unit) || identifierLike(unit) || !ucumCodeFor(unit))) continue;
      return {
        kind: 'quantity',
        value,
        ...(q[2] ? { comparator: q[2] as Comparator } : {}),
        ...(unit ? { unit } : {}),
        ...(label ? { label } : {}),
      };
    }
  }
  return undefined;
}
