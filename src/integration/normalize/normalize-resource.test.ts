import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Bundle, Condition, DiagnosticReport, MedicationRequest, Observation } from '@medplum/fhirtypes';
import { assertValidResource } from '../../fhir/validate.ts';
import { parseMessageOrThrow } from '../hl7v2/parse.ts';
import { mapHl7ToBundle } from '../hl7v2-fhir/map-message.ts';
import { ORIGINAL_VALUE_EXTENSION } from './codings.ts';
import { normalizeBundle, normalizeResource } from './normalize-resource.ts';

const LOINC = 'http://loinc.org';

/** An ORU as the simulated hospital sends it: local codes, an SI unit, a value typed into ST. */
const hospitalOru = [
  'MSH|^~\\&|HOSP_ADT|GENERAL_HOSPITAL|LONGITUDE|ORG|202401151030||ORU^R01^ORU_R01|GH0001|P|2.5.1',
  'PID|1||MRN123^^^HOSP^MR||DOE^JANE||19600101|F',
  'PV1|1|O',
  'ORC|RE|V1P|GH1||CM',
  'OBR|1|V1P|GH1|BMP^Basic metabolic panel^L|||202401150800',
  'OBX|1|NM|GLU^Glucose^L||5.2|mmol/L||N|||F|||202401150800',
  'OBX|2|ST|CREAT^Creatinine^L||1.02 mg/dL||0.6-1.3|N|||F|||202401150800',
  'OBX|3|NM|NA^Sodium^L^2951-2^Sodium^LN||140|mmol/L|135-145|N|||F|||202401150800',
].join('\r');

function mapped(): Bundle {
  return mapHl7ToBundle(parseMessageOrThrow(hospitalOru), { messageId: '1', channel: 'hospital-lab', receivedAt: new Date('2024-01-15T10:31:00Z') });
}

const byCode = (bundle: Bundle, code: string) =>
  bundle.entry!.map((e) => e.resource).find((r) => r?.resourceType === 'Observation' && (r as Observation).code.coding?.some((c) => c.code === code)) as Observation;

describe('normalizeBundle on an HL7-mapped hospital result', () => {
  const input = mapped();
  const before = structuredClone(input);
  const { bundle, changes } = normalizeBundle(input, { source: 'hosp_adt.general_hospital' });

  test('the input Bundle is not modified', () => {
    assert.deepEqual(input, before);
  });

  test('local codes get LOINC; the panel too', () => {
    assert.equal(byCode(bundle, 'GLU').code.coding!.find((c) => c.system === LOINC)?.code, '2345-7');
    const report = bundle.entry!.find((e) => e.resource?.resourceType === 'DiagnosticReport')!.resource as DiagnosticReport;
    assert.equal(report.code.coding!.find((c) => c.system === LOINC)?.code, '51990-0');
  });

  test('glucose in mmol/L becomes mg/dL through its molar mass, the original kept on the quantity', () => {
    const glucose = byCode(bundle, 'GLU').valueQuantity!;
    assert.equal(glucose.value, 94);
    assert.equal(glucose.code, 'mg/dL');
    assert.deepEqual(glucose.extension, [{ url: ORIGINAL_VALUE_EXTENSION, valueQuantity: { value: 5.2, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' } }]);
  });

  test('a value typed as text becomes a quantity, the text kept in an extension', () => {
    const creatinine = byCode(bundle, 'CREAT');
    assert.deepEqual(creatinine.valueQuantity, { value: 1.02, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' });
    assert.equal(creatinine.valueString, undefined);
    assert.deepEqual(creatinine.extension, [{ url: ORIGINAL_VALUE_EXTENSION, valueString: '1.02 mg/dL' }]);
  });

  test('a result already sent with LOINC keeps its codings; its unit gets the UCUM system', () => {
    const sodium = byCode(bundle, 'NA');
    assert.equal(sodium.code.coding!.length, 2);
    assert.equal(sodium.valueQuantity!.system, 'http://unitsofmeasure.org');
    assert.equal(sodium.valueQuantity!.value, 140);
  });

  test('every change names its Bundle entry, path and rule', () => {
    assert.ok(changes.length >= 6);
    for (const c of changes) {
      assert.match(c.path, /^Bundle\.entry\[\d+\]\.resource\./);
      assert.ok(bundle.entry![c.entry]!.resource);
      assert.ok(c.rule.length > 0);
    }
    assert.ok(changes.some((c) => c.rule.startsWith('unit-convert:2345-7:mmol/L->mg/dL (molar mass 180.156')));
  });

  test('normalized resources are still valid FHIR R4', () => {
    for (const e of bundle.entry!) assertValidResource(e.resource);
  });
});

describe('normalizeResource on the clinic EHR export', () => {
  const context = { source: 'ehr-clinic' };

  test('a text-only diagnosis is coded; the text stays', () => {
    const condition: Condition = { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { text: 'HTN' } };
    const { resource, changes } = normalizeResource(condition, context);
    assert.equal(resource.code!.text, 'HTN');
    assert.deepEqual(resource.code!.coding!.map((c) => [c.system, c.code, c.userSelected]), [
      ['http://hl7.org/fhir/sid/icd-10-cm', 'I10', false],
      ['http://snomed.info/sct', '38341003', false],
    ]);
    assert.deepEqual(changes.map((c) => c.rule), ['conditions.json#HTN', 'conditions.json#HTN']);
    assertValidResource(resource);
  });

  test('a blood pressure sent as "138/86" becomes systolic and diastolic components', () => {
    const bp: Observation = {
      resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-03-01T09:00:00Z',
      code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] }, valueString: '138/86',
    };
    const { resource } = normalizeResource(bp, context);
    assert.equal(resource.valueString, undefined);
    assert.deepEqual(resource.component!.map((c) => [c.code.coding![0]!.code, c.valueQuantity!.value, c.valueQuantity!.code]), [['8480-6', 138, 'mm[Hg]'], ['8462-4', 86, 'mm[Hg]']]);
    assert.deepEqual(resource.extension, [{ url: ORIGINAL_VALUE_EXTENSION, valueString: '138/86' }]);
    assertValidResource(resource);
  });

  test('an unlabelled "1/128" under a titre code is not read as a blood pressure', () => {
    const titre: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: '5370-2' }] }, valueString: '1/128' };
    assert.deepEqual(normalizeResource(titre, context).changes, []);
  });

  test('"BP 130/85" on an Observation with only text gets the panel code too', () => {
    const bp: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Vitals' }, valueString: 'BP 130/85' };
    const { resource } = normalizeResource(bp, context);
    assert.equal(resource.code.coding![0]!.code, '85354-9');
    assert.equal(resource.code.text, 'Vitals');
  });

  test('"A1c 7.2%" with no code becomes LOINC 4548-4 and 7.2 %', () => {
    const a1c: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'A1c' }, valueString: 'A1c 7.2%' };
    const { resource } = normalizeResource(a1c, context);
    assert.equal(resource.code.coding![0]!.code, '4548-4');
    assert.deepEqual(resource.valueQuantity, { value: 7.2, unit: '%', system: 'http://unitsofmeasure.org', code: '%' });
  });

  test('"A1c 7.2%" under a glucose code is left as text: the label and the code disagree', () => {
    const wrong: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: '2345-7' }] }, valueString: 'A1c 7.2%' };
    assert.deepEqual(normalizeResource(wrong, context).changes, []);
  });

  test('"pos" becomes a coded value whose text is what was sent', () => {
    const test: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Strep A' }, valueString: 'pos' };
    const { resource } = normalizeResource(test, context);
    assert.deepEqual(resource.valueCodeableConcept!.text, 'pos');
    assert.equal(resource.valueCodeableConcept!.coding![0]!.code, '10828004');
  });

  test('a brand-name prescription gets its ingredient', () => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'Zoloft 50 mg' },
    };
    const { resource, changes } = normalizeResource(request, context);
    assert.equal(resource.medicationCodeableConcept!.coding![0]!.code, '36437');
    assert.equal(changes[0]!.path, 'MedicationRequest.medicationCodeableConcept.coding[0]');
  });

  test('HbA1c in mmol/mol (IFCC) is not converted to %', () => {
    const a1c: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: '4548-4' }] }, valueQuantity: { value: 53, unit: 'mmol/mol' } };
    const { resource, changes } = normalizeResource(a1c, context);
    assert.equal(resource.valueQuantity!.value, 53);
    assert.deepEqual(changes.map((c) => c.rule), ['ucum-valid']);
  });

  test('a bare number stays text: it may be an identifier, and its unit would be a guess', () => {
    const zip: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Employer ZIP' }, valueString: '30328' };
    assert.deepEqual(normalizeResource(zip, context).changes, []);
  });

  test('a sender unit error is not "normalized" into nonsense: 12.5 g/mL hemoglobin stays as sent', () => {
    // From the shared corpus (a NIST sample): g/mL typed for g/dL; converting would give 1250 g/dL.
    const hgb: Observation = {
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: '718-7' }] },
      valueQuantity: { value: 12.5, unit: 'grams per milliliter', system: 'http://unitsofmeasure.org', code: 'g/mL' },
    };
    assert.deepEqual(normalizeResource(hgb, context).changes, []);
    const gPerL: Observation = { ...hgb, valueQuantity: { value: 125, system: 'http://unitsofmeasure.org', code: 'g/L' } };
    assert.equal(normalizeResource(gPerL, context).resource.valueQuantity!.value, 12.5);
  });

  test('a normalized resource normalizes to itself (idempotent)', () => {
    const once = normalizeBundle(mapped(), { source: 'hospital' }).bundle;
    const twice = normalizeBundle(once, { source: 'hospital' });
    assert.deepEqual(twice.changes, []);
    assert.deepEqual(twice.bundle, once);
  });
});
