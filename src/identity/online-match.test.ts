import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { probabilityToWeight } from './config.ts';
import { patientToSourceRecord } from './from-fhir-patient.ts';
import { fixturePatients, fixturePeople } from './identity-fixtures.ts';
import { linkRecords } from './link.ts';
import { modelFromJson, modelToJson } from './model-store.ts';
import { normalizeRecord } from './normalize/record.ts';
import { candidateSearches, decideOnline, type PersonMember } from './online-match.ts';

const patients = fixturePatients(20);
const batch = linkRecords(patients.map(patientToSourceRecord));
const thresholds = { linkWeight: probabilityToWeight(0.95), reviewWeight: probabilityToWeight(0.5) };
/** Persons as the batch clustered them. */
const members: PersonMember[] = batch.records.map((r, i) => ({ record: r, personId: `person-${batch.clusterOf[i]}` }));
const personOf = (id: string) => members.find((m) => m.record.recordId === `Patient/${id}`)!.personId;
const asNew = (p: Patient) => normalizeRecord(patientToSourceRecord(p), 0);

describe('decideOnline', () => {
  test('a new record of a known person joins the person of its best pair', () => {
    const p7 = fixturePeople(8)[7]!;
    const d = decideOnline(batch.model, asNew({ resourceType: 'Patient', id: 'n', name: [{ family: p7.family, given: [p7.given] }], birthDate: p7.birthDate, gender: p7.gender, telecom: [{ system: 'phone', value: p7.phone }] }), members, thresholds);
    assert.equal(d.kind, 'link');
    assert.equal(d.kind === 'link' && d.personId, personOf('clinic-p7'));
    assert.ok(d.kind === 'link' && d.best.weight >= thresholds.linkWeight && d.best.weights.length > 0);
  });

  test('a record nobody resembles stays single, with nothing to review', () => {
    assert.deepEqual(decideOnline(batch.model, asNew({ resourceType: 'Patient', id: 'n', name: [{ family: 'Quasimodo', given: ['Esmeralda'] }], birthDate: '1901-01-01' }), members, thresholds), { kind: 'single', review: [] });
  });

  test('the decision does not depend on the order of the members', () => {
    const p2 = fixturePeople(3)[2]!;
    const rec = asNew({ resourceType: 'Patient', id: 'n', name: [{ family: p2.family, given: [p2.given] }], birthDate: p2.birthDate });
    assert.deepEqual(decideOnline(batch.model, rec, [...members].reverse(), thresholds), decideOnline(batch.model, rec, members, thresholds));
  });
});

describe('the stored model', () => {
  test('round-trips through JSON and scores pairs as the batch did', () => {
    const back = modelFromJson(JSON.parse(JSON.stringify(modelToJson(batch.model))), batch.model.comparisons)!;
    const a = batch.records[0]!;
    assert.deepEqual(decideOnline(back, a, members.slice(1), thresholds), decideOnline(batch.model, a, members.slice(1), thresholds));
    assert.equal(modelFromJson(modelToJson(batch.model), batch.model.comparisons.slice(1)), undefined, 'a model of other comparisons is not used');
  });
});

describe('candidateSearches', () => {
  test('one search per block, golden Patients left out, values escaped', () => {
    const searches = candidateSearches({ resourceType: 'Patient', id: 'n', name: [{ family: 'Smith,Jones', given: ['Ann'] }], birthDate: '1970-05-06',
      identifier: [{ system: 'urn:x', value: 'A|1' }], address: [{ postalCode: '62704' }] }, 100);
    assert.deepEqual(searches.map((s) => s.filter(([k]) => !k.startsWith('_'))), [
      [['birthdate', 'eq1970-05-06']],
      [['identifier', 'urn:x|A\\|1']],
      [['family', 'Smith\\,Jones'], ['birthdate', 'ge1970-01-01'], ['birthdate', 'le1970-12-31']],
      [['given', 'Ann'], ['birthdate', 'ge1970-01-01'], ['birthdate', 'le1970-12-31']],
      [['family', 'Smith\\,Jones'], ['address-postalcode', '62704']],
    ]);
    for (const s of searches) assert.deepEqual(s.filter(([k]) => k.startsWith('_')), [['_tag:not', 'urn:longitude:identity|golden'], ['_count', '101']]);
  });
});
