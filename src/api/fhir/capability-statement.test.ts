import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtInSearchParameters } from '../../record/search/index.ts';
import { buildCapabilityStatement } from './capability-statement.ts';

describe('CapabilityStatement search listing', () => {
  const statement = buildCapabilityStatement({
    baseUrl: 'http://localhost:8080/fhir/R4',
    version: 'test',
    parameters: builtInSearchParameters,
    types: [
      { type: 'Patient', interactions: ['read'], search: 'indexed' },
      { type: 'AuditEvent', interactions: ['read', 'search-type'] },
    ],
  });
  const [patient, auditEvent] = statement.rest?.[0]?.resource ?? [];

  test('an indexed type lists search-type and its parameters with their definitions', () => {
    assert.deepEqual(patient?.interaction?.map((i) => i.code), ['read', 'search-type']);
    const params = new Map(patient?.searchParam?.map((p) => [p.name, p]));
    assert.deepEqual(params.get('birthdate'), { name: 'birthdate', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/individual-birthdate' });
    for (const name of ['_id', '_lastUpdated', '_tag', '_profile', 'name', 'identifier', 'gender', 'race', 'ethnicity']) assert.ok(params.has(name), name);
    // full-text search is served from search_text (record/search/search-text.ts)
    assert.equal(params.get('_content')?.definition, 'http://hl7.org/fhir/SearchParameter/Resource-content');
    assert.ok(params.has('_text'));
  });

  test('a type without indexed search claims no search parameters', () => {
    assert.equal(auditEvent?.searchParam, undefined);
  });
});
