/**
 * ORC/OBR/OBX for an ORU^R01 result (HL7 v2.5.1 chapter 7: OBR-2 placer and OBR-3 filler
 * order numbers, OBR-4 universal service id, OBR-7 collection time, OBR-16 ordering provider,
 * OBR-22 result time, OBR-25 result status; OBX-2 value type, OBX-3 observation id, OBX-5
 * value, OBX-6 units, OBX-7 range, OBX-8 abnormal flag, OBX-11 status, OBX-14 time).
 */
import { analytes, formatAnalyteValue, labTests, type Analyte, type LabTestKey } from '../lab-catalog.ts';
import type { LabOrder } from '../care-events.ts';
import type { ErrorRecorder } from '../errors.ts';
import type { Provider } from '../providers.ts';
import { components, segment } from './hl7-format.ts';

export interface ResultCoding {
  /** 'loinc': OBX-3 carries LOINC (reference lab). 'local': the hospital's codes, damaged by its rates. */
  codes: 'loinc' | 'local';
  errors?: ErrorRecorder;
  /** The silo's patient record id (MRN), for the error log. */
  recordId: string;
  controlId: string;
}

function flag(value: number, range: string): string {
  const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(range);
  if (m) return value < Number(m[1]) ? 'L' : value > Number(m[2]) ? 'H' : 'N';
  if (range.startsWith('<')) return value >= Number(range.slice(1)) ? 'H' : 'N';
  if (range.startsWith('>')) return value <= Number(range.slice(1)) ? 'L' : 'N';
  return '';
}

export function resultSegments(order: LabOrder, placer: string, filler: string, collected: string, reported: string, orderedBy: Provider, coding: ResultCoding): string[] {
  const test = labTests[order.test as LabTestKey];
  const serviceId = coding.codes === 'loinc' ? components(test.loinc, test.name, 'LN') : components(test.local, test.name, 'L');
  const out = [
    segment('ORC', { 1: 'RE', 2: placer, 3: filler, 5: 'CM' }),
    segment('OBR', {
      1: '1', 2: placer, 3: filler, 4: serviceId, 7: collected,
      16: components(orderedBy.npi, orderedBy.family, orderedBy.given, '', '', '', '', '', 'NPI'), 22: reported, 25: 'F',
    }),
  ];
  order.results.forEach((r, i) => {
    const a: Analyte = analytes[r.analyte];
    const rec = coding.recordId;
    const at = `${coding.controlId}/OBX-${i + 1}`;
    const e = coding.errors;
    let id = components(a.loinc, a.name, 'LN');
    let si = false;
    let freeText = false;
    if (coding.codes === 'local' && e) {
      // Local code only, or local code with LOINC as the alternate identifier (CWE components 4-6).
      if (e.roll('localLabCode')) {
        id = components(a.local, a.name, 'L');
        e.log('localLabCode', rec, `${at}.3`, a.loinc, a.local);
      } else id = components(a.local, a.name, 'L', a.loinc, a.name, 'LN');
      if (a.si && e.roll('siUnits')) si = true;
      freeText = e.roll('freeText');
    }
    const printed = formatAnalyteValue(r.analyte, r.value, si);
    if (si) e?.log('siUnits', rec, `${at}.6`, a.unit, printed.unit);
    if (freeText) e?.log('freeText', rec, `${at}.5`, printed.value, `${printed.value} ${printed.unit}`);
    out.push(segment('OBX', {
      1: String(i + 1), 2: freeText ? 'ST' : 'NM', 3: id, 5: freeText ? `${printed.value} ${printed.unit}` : printed.value,
      6: freeText ? '' : printed.unit, 7: si ? '' : a.range, 8: flag(r.value, a.range), 11: 'F', 14: collected,
    }));
  });
  return out;
}
