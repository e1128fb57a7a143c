import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assigneeText, displayValue, identifierLabel, siloLabel } from './format.ts';

test('silo names from system URIs, channel names and sending applications', () => {
  const cases: [string, string][] = [
    ['urn:longitude:ehr-clinic:mrn', 'Clinic EHR'],
    ['fhir:ehr-clinic', 'Clinic EHR'],
    ['HOSP_ADT', 'Hospital'],
    ['urn:longitude:hl7:authority:genhosp', 'Hospital'],
    ['csv:payer', 'Payer'],
    ['urn:longitude:crm:contact-id', 'CRM'],
    ['REFLAB_LIS', 'Reference lab'],
    ['hl7:labs', 'Reference lab'],
    ['urn:longitude:identity:person', 'Golden record'],
    ['urn:example:other-system', 'other-system'],
  ];
  for (const [source, label] of cases) assert.equal(siloLabel(source), label, source);
  assert.equal(siloLabel(undefined), 'Unknown');
});

test('SSNs show their last four digits only; other identifiers as they are', () => {
  assert.equal(displayValue({ system: 'http://hl7.org/fhir/sid/us-ssn', value: '945-39-8689' }), '•••-••-8689');
  assert.equal(displayValue({ system: 'urn:longitude:payer:member-id', value: 'M3025099301' }), 'M3025099301');
  assert.equal(identifierLabel({ system: 'urn:longitude:hl7:authority:genhosp' }), 'MRN');
  assert.equal(identifierLabel({ system: 'urn:longitude:payer:member-id' }), 'Member id');
});

test('the assignee as staff read it', () => {
  assert.equal(assigneeText('user:demo:care.manager', 'care.manager'), 'you');
  assert.equal(assigneeText('user:demo:admin', 'care.manager'), 'admin');
});
