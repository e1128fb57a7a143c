import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { HandlerError } from '../message-store/message-processor.ts';
import { parseMappingOverrides } from './overrides.ts';
import { fields, hl7, mapped, msh, only } from './test-fixtures.ts';

const message = hl7(
  msh('ADT^A01', 'MSG1', '20240301100000'),
  'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F|||||||||||||||||||||||||||||||||||||',
  fields('PV1', { 2: 'I', 3: 'W1^12^A^^^^^^North wing, bed A', 10: 'CAR^Cardiology^HL70069', 19: 'V1', 44: '20240301080000' }),
  'ZPD|blue|1|20240301',
  'ZPD|green',
);

describe('per-channel mapping overrides', () => {
  test('without overrides: the standard maps', () => {
    const patient = only<Patient>(mapped(message), 'Patient');
    assert.equal(patient.identifier?.[0]?.system, 'urn:longitude:hl7:authority:hosp');
    assert.equal(patient.extension, undefined);
    assert.equal(only<Encounter>(mapped(message), 'Encounter').period?.start, '2024-03-01T08:00:00Z');
  });

  test('identifierSystems: the assigning authority becomes the configured URI, and the Patient is keyed by it', () => {
    const bundle = mapped(message, { identifierSystems: { HOSP: 'https://hospital.example/mrn' } });
    assert.equal(only<Patient>(bundle, 'Patient').identifier?.[0]?.system, 'https://hospital.example/mrn');
    assert.equal(decodeURIComponent(bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.request!.url), 'Patient?identifier=https://hospital.example/mrn|MRN-1');
  });

  test('zSegments: Z-segment fields become extensions on the main resource, typed as configured', () => {
    const bundle = mapped(message, {
      zSegments: {
        ZPD: [
          { field: 1, target: 'Patient.extension', url: 'http://example.org/fhir/ext/favorite-color' },
          { field: 2, target: 'Patient.extension', url: 'http://example.org/fhir/ext/vip', valueType: 'boolean' },
          { field: 3, target: 'Encounter.extension', url: 'http://example.org/fhir/ext/triaged', valueType: 'dateTime' },
        ],
      },
    });
    assert.deepEqual(only<Patient>(bundle, 'Patient').extension, [
      { url: 'http://example.org/fhir/ext/favorite-color', valueString: 'blue' },
      { url: 'http://example.org/fhir/ext/vip', valueBoolean: true },
      { url: 'http://example.org/fhir/ext/favorite-color', valueString: 'green' },
    ]);
    assert.deepEqual(only<Encounter>(bundle, 'Encounter').extension?.at(-1), { url: 'http://example.org/fhir/ext/triaged', valueDateTime: '2024-03-01' });
  });

  test('a Z-segment value that is not of the configured type is a mapping error naming it', () => {
    assert.throws(
      () => mapped(message, { zSegments: { ZPD: [{ field: 1, target: 'Patient.extension', url: 'http://example.org/x', valueType: 'integer' }] } }),
      (err: unknown) => err instanceof HandlerError && err.detail.element === 'ZPD-1',
    );
  });

  test('fieldOverrides: relocations of a field to another element', () => {
    const bundle = mapped(message, {
      fieldOverrides: [
        { path: 'PV1-3.9', target: 'Encounter.location.display' },
        { path: 'PV1-10.2', target: 'Encounter.serviceType.text' },
        { path: 'ZPD-1', target: 'Patient.identifier', system: 'urn:example:color-id' },
      ],
    });
    const encounter = only<Encounter>(bundle, 'Encounter');
    assert.equal(encounter.location?.[0]?.location.display, 'North wing, bed A');
    assert.equal(encounter.serviceType?.text, 'Cardiology');
    assert.deepEqual(only<Patient>(bundle, 'Patient').identifier?.at(-1), { system: 'urn:example:color-id', value: 'blue' });
  });

  test('timeZone: times without an offset are local to the sender', () => {
    assert.equal(only<Encounter>(mapped(message, { timeZone: 'America/Chicago' }), 'Encounter').period?.start, '2024-03-01T08:00:00-06:00');
  });

  test('the shape is validated: a bad setting fails naming it', () => {
    const invalid = (value: unknown, at: string) =>
      assert.throws(
        () => parseMappingOverrides(value, 'lab'),
        (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_CONFIG_INVALID' && err.issues.some((i) => i.expression?.[0] === at),
      );
    invalid({ identifierSystems: { HOSP: 'not a uri' } }, 'mapping.identifierSystems.HOSP');
    invalid({ timeZone: 'Mars/Olympus' }, 'mapping.timeZone');
    invalid({ zSegments: { PID: [] } }, 'mapping.zSegments.PID');
    invalid({ zSegments: { ZPD: [{ field: 0, target: 'Patient.extension', url: 'http://x.org/e' }] } }, 'mapping.zSegments.ZPD.0.field');
    invalid({ fieldOverrides: [{ path: 'PV1-3.1', target: 'Encounter.status' }] }, 'mapping.fieldOverrides.0.target');
    invalid({ fieldOverrides: [{ path: 'PV1-3.1', target: 'Patient.identifier' }] }, 'mapping.fieldOverrides.0.system');
    invalid({ somethingElse: true }, 'mapping');
    assert.deepEqual(parseMappingOverrides(undefined), {});
  });
});
