/**
 * A small, fixed set of synthetic resources covering every indexed parameter type, for the
 * search tests. Each search test states which of these ids it expects.
 */
import type { Observation, Patient, Resource, RiskAssessment } from '@medplum/fhirtypes';

const loinc = 'http://loinc.org';
const ucum = 'http://unitsofmeasure.org';
export const usCorePatient = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient';
export const v2IdentifierTypes = 'http://terminology.hl7.org/CodeSystem/v2-0203';

const patients: Patient[] = [
  {
    resourceType: 'Patient',
    id: 'p-smith',
    meta: { tag: [{ system: 'urn:tags', code: 'vip' }], profile: [usCorePatient], source: 'urn:src:ehr' },
    active: true,
    name: [{ family: 'Smíth', given: ['Ana'] }],
    birthDate: '1970-05-02',
    gender: 'female',
    identifier: [{ system: 'urn:mrn', value: 'A1', type: { coding: [{ system: v2IdentifierTypes, code: 'MR' }] } }],
    telecom: [{ system: 'phone', value: '555-0100' }],
    address: [{ city: 'Boston', line: ['1 Main St'] }],
  },
  { resourceType: 'Patient', id: 'p-jones', name: [{ family: 'Jones', given: ['Bob'] }], birthDate: '1985-11-30', gender: 'male', identifier: [{ system: 'urn:mrn', value: 'B2' }] },
  { resourceType: 'Patient', id: 'p-smithers', name: [{ family: 'Smithers', given: ['Carl'] }], birthDate: '1970-12-31', gender: 'other', identifier: [{ system: 'urn:other', value: 'A1' }] },
];

function observation(id: string, fields: Partial<Observation>): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: loinc, code: '4548-4' }] }, ...fields };
}

const observations: Observation[] = [
  observation('o1', {
    code: { coding: [{ system: loinc, code: '4548-4', display: 'Hemoglobin A1c' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    subject: { reference: 'Patient/p-smith' },
    effectiveDateTime: '2024-03-15',
    valueQuantity: { value: 7.2, unit: '%', system: ucum, code: '%' },
  }),
  observation('o2', {
    code: { coding: [{ system: loinc, code: '2339-0', display: 'Glucose' }] },
    subject: { reference: 'Patient/p-jones' },
    effectiveDateTime: '2024-04-02T08:00:00Z',
    valueQuantity: { value: 95, unit: 'mg/dL', system: ucum, code: 'mg/dL' },
  }),
  observation('o3', {
    status: 'preliminary',
    code: { coding: [{ system: loinc, code: '4548-4' }], text: 'A1c test' },
    subject: { reference: 'Patient/p-jones' },
    effectiveDateTime: '2024-02-28',
    valueQuantity: { value: 6.1, unit: '%', system: ucum, code: '%' },
  }),
  observation('o4', {
    status: 'amended',
    code: { coding: [{ system: loinc, code: '8867-4' }] },
    effectivePeriod: { start: '2024-03-01' },
    valueQuantity: { value: 72, unit: '/min', system: ucum, code: '/min' },
  }),
  observation('o5', { code: { coding: [{ system: loinc, code: '8310-5' }] }, subject: { identifier: { system: 'urn:mrn', value: 'A1' } } }),
];

const riskAssessments: RiskAssessment[] = [
  { resourceType: 'RiskAssessment', id: 'r1', status: 'final', subject: { reference: 'Patient/p-smith' }, prediction: [{ probabilityDecimal: 0.35 }] },
];

export const searchFixtures: Resource[] = [...patients, ...observations, ...riskAssessments];

/*
 * Resources linked by references, for chaining, _has, _include/_revinclude and _list
 * (record/search/search-chain.test.ts, search-include.test.ts). Only types the tests above do
 * not list (Organization, Encounter, Provenance, List, Location), so their expectations hold.
 * Organizations org-ring-1..6 point at each other in a ring (partOf), for :iterate's depth
 * limit and cycle safety.
 */
const organizationRing: Resource[] = [1, 2, 3, 4, 5, 6].map((n) => ({
  resourceType: 'Organization',
  id: `org-ring-${n}`,
  name: `Ring ${n}`,
  partOf: { reference: `Organization/org-ring-${(n % 6) + 1}` },
}));

export const linkFixtures: Resource[] = [
  { resourceType: 'Organization', id: 'org-north', name: 'Northwind Health', identifier: [{ system: 'urn:npi', value: 'N1' }] },
  { resourceType: 'Organization', id: 'org-east', name: 'Eastside Clinic', partOf: { reference: 'Organization/org-north' } },
  ...organizationRing,
  { resourceType: 'Location', id: 'loc-ward', status: 'active', name: 'Smithfield Ward', managingOrganization: { reference: 'Organization/org-east' } },
  {
    resourceType: 'Encounter',
    id: 'enc-smith',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Patient/p-smith' },
    serviceProvider: { reference: 'Organization/org-east' },
  },
  {
    resourceType: 'Encounter',
    id: 'enc-jones',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject: { reference: 'Patient/p-jones' },
    serviceProvider: { reference: 'Organization/org-north' },
  },
  {
    resourceType: 'Provenance',
    id: 'prov-o1',
    target: [{ reference: 'Observation/o1' }],
    recorded: '2024-03-16T09:00:00Z',
    agent: [{ who: { reference: 'Organization/org-east' } }],
  },
  {
    resourceType: 'Provenance',
    id: 'prov-enc-jones',
    target: [{ reference: 'Encounter/enc-jones' }],
    recorded: '2024-04-02T09:00:00Z',
    agent: [{ who: { reference: 'Organization/org-north' } }],
  },
  {
    // In p-jones' compartment (it targets p-jones), naming p-smith as its agent.
    resourceType: 'Provenance',
    id: 'prov-jones',
    target: [{ reference: 'Patient/p-jones' }],
    recorded: '2024-04-03T09:00:00Z',
    agent: [{ who: { reference: 'Patient/p-smith' } }],
  },
  {
    // p-jones' list, whose items include p-smith's o1 and p-smith herself.
    resourceType: 'List',
    id: 'list-a1c',
    status: 'current',
    mode: 'working',
    subject: { reference: 'Patient/p-jones' },
    entry: [{ item: { reference: 'Observation/o1' } }, { item: { reference: 'Observation/o3' } }, { item: { reference: 'Patient/p-smith' } }],
  },
  {
    resourceType: 'List',
    id: 'list-places',
    status: 'current',
    mode: 'snapshot',
    subject: { reference: 'Location/loc-ward' },
    entry: [{ item: { reference: 'Location/loc-ward' } }],
  },
];

searchFixtures.push(...linkFixtures);
