import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosticReport, Observation, ServiceRequest, Specimen } from '@medplum/fhirtypes';
import { hl7, mapped, msh, only, resourcesOf } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';

describe('ORU^R01: OBR → DiagnosticReport, with its order and specimens', () => {
  const bundle = mapped(
    hl7(
      msh('ORU^R01'),
      PID,
      'ORC|RE|P100^EHR|F200^LAB|G7^EHR',
      'OBR|1|P100^EHR|F200^LAB|24317-0^Hemogram^LN|||20240301073000-0500||||||||BLD^Blood^HL70070|||||||20240301090000-0500|||F',
      'OBX|1|NM|718-7^Hgb^LN||13|g/dL^^UCUM|||||F',
      'OBX|2|ED|PDF^Report^L||LAB^AP^PDF^Base64^JVBERi0xLjQK||||||F',
      'SPM|1|S-9^^^LAB||BLD^Blood^HL70487|||||||||||||20240301073000-0500|20240301080000-0500',
    ),
  );
  const report = only<DiagnosticReport>(bundle, 'DiagnosticReport');

  test('identifiers from the placer, filler and group numbers; status OBR-25; times OBR-7 and OBR-22', () => {
    assert.deepEqual(
      report.identifier?.map((i) => [i.type?.coding?.[0]?.code, i.value]),
      [
        ['PLAC', 'P100'],
        ['FILL', 'F200'],
        ['PGN', 'G7'],
      ],
    );
    assert.equal(report.status, 'final');
    assert.equal(report.effectiveDateTime, '2024-03-01T07:30:00-05:00');
    assert.equal(report.issued, '2024-03-01T09:00:00-05:00');
    assert.equal(report.code.coding?.[0]?.code, '24317-0');
  });

  test('results list the Observations; an encapsulated PDF is the presented form, not an Observation', () => {
    const refs = new Map(bundle.entry!.map((e) => [e.fullUrl, e.resource]));
    assert.deepEqual(report.result?.map((r) => (refs.get(r.reference) as Observation).code.coding?.[0]?.code), ['718-7']);
    assert.deepEqual(report.presentedForm, [{ contentType: 'application/pdf', data: 'JVBERi0xLjQK', title: 'Report' }]);
    assert.equal(resourcesOf(bundle, 'Observation').length, 1);
  });

  test('a result on a specimen is a laboratory result (US Core category laboratory)', () => {
    const [observation] = resourcesOf<Observation>(bundle, 'Observation');
    assert.deepEqual(observation!.category?.[0]?.coding?.[0]?.code, 'laboratory');
    assert.ok(observation!.specimen);
  });

  test('the order is ensured, not overwritten: a result does not own it', () => {
    const order = bundle.entry!.find((e) => e.resource?.resourceType === 'ServiceRequest')!;
    assert.equal(order.request?.method, 'POST');
    assert.equal((order.resource as ServiceRequest).intent, 'order');
    assert.equal(report.basedOn?.[0]?.reference, order.fullUrl);
  });

  test('specimens from SPM and from the OBR (IG ORU_R01: the OBR yields one Specimen)', () => {
    const [spm, obr] = resourcesOf<Specimen>(bundle, 'Specimen');
    assert.equal(spm!.identifier?.[0]?.value, 'S-9');
    assert.equal(spm!.type?.coding?.[0]?.code, 'BLD');
    assert.deepEqual(spm!.collection?.collectedDateTime, '2024-03-01T07:30:00-05:00');
    assert.equal(spm!.receivedTime, '2024-03-01T08:00:00-05:00');
    assert.equal(obr!.type?.coding?.[0]?.system, 'http://terminology.hl7.org/CodeSystem/v2-0070');
    assert.equal(report.specimen?.length, 2);
  });
});
