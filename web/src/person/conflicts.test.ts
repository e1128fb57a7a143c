import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fieldViews, identifierRows, ruleText } from './conflicts.ts';
import type { PatientLike, PersonDetail } from './types.ts';

const clinic: PatientLike = {
  resourceType: 'Patient',
  name: [{ family: 'Garcia', given: ['John'] }],
  birthDate: '1964-12-09',
  telecom: [{ system: 'phone', value: '440-739-2661' }],
  identifier: [{ system: 'urn:longitude:ehr-clinic:mrn', value: 'C19124184' }],
};
const payer: PatientLike = {
  resourceType: 'Patient',
  name: [{ family: 'GARCIA', given: ['JOHN'] }],
  birthDate: '1964-12-09',
  telecom: [{ system: 'phone', value: '(937) 430-3483' }],
  identifier: [
    { system: 'urn:longitude:payer:member-id', value: 'M3025099301' },
    { system: 'http://hl7.org/fhir/sid/us-ssn', value: '945398689' },
  ],
};
const detail: PersonDetail = {
  person: { id: 'p1' },
  golden: { ...payer, name: [{ family: 'Garcia', given: ['John'] }], identifier: [...(clinic.identifier ?? []), ...(payer.identifier ?? []), { system: 'urn:longitude:identity:person', value: 'p1' }, { system: 'http://hl7.org/fhir/sid/us-ssn', value: '945-39-8689' }] },
  provenance: {
    name: { source: 'csv:payer', rule: 'authority', sourceRecord: 'Patient/payer-1' },
    phone: { source: 'csv:payer', rule: 'recency', sourceRecord: 'Patient/payer-1' },
  },
  sources: [
    { reference: 'Patient/C19124184', source: 'fhir:ehr-clinic', resource: clinic },
    { reference: 'Patient/payer-1', source: 'csv:payer', resource: payer },
  ],
};

describe('survivorship view of a person', () => {
  test('each golden field carries its source and rule; only values that really differ are "other values"', () => {
    const views = Object.fromEntries(fieldViews(detail).map((v) => [v.element, v]));
    assert.deepEqual([views.name?.value, views.name?.source, views.name?.rule], ['John Garcia', 'csv:payer', 'authority']);
    // The payer's upper-case name is the same name: not a conflict.
    assert.deepEqual(views.name?.others, []);
    assert.deepEqual(views.phone?.others, [{ value: '440-739-2661', source: 'fhir:ehr-clinic', reference: 'Patient/C19124184' }]);
    assert.equal(views.birthDate?.rule, undefined);
    assert.equal(views.email, undefined, 'a field no record holds is left out');
  });

  test('the rule says why in words, naming the winning silo for "authority"', () => {
    assert.match(ruleText('authority', 'csv:payer'), /Payer ranks highest/);
    assert.match(ruleText('most-frequent', 'x'), /most sources agree/);
    assert.equal(ruleText('a-new-rule', 'x'), 'a-new-rule');
  });

  test('identifiers from every silo, each once, without the hub\'s own person id', () => {
    const rows = identifierRows({ ...detail, sources: [...detail.sources, { reference: 'Patient/g', source: 'golden', resource: detail.golden! }] });
    assert.deepEqual(
      rows.map((r) => [r.value, r.source]),
      [
        ['C19124184', 'fhir:ehr-clinic'],
        ['M3025099301', 'csv:payer'],
        ['945398689', 'csv:payer'],
      ],
    );
  });
});
