import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Patient, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import type { ResourceRow } from '../resource-rows.ts';
import { matchPending } from './pending-match.ts';
import { parseSearchRequest } from './search-request.ts';

const row = (content: Resource, deleted = false): ResourceRow => ({
  resourceType: content.resourceType, id: content.id!, versionId: 1, lastUpdated: new Date(), deleted, content: deleted ? null : content,
});
const patient = (id: string, mrn: string, tags: string[] = []): Patient => ({
  resourceType: 'Patient', id, identifier: [{ system: 'urn:mrn', value: mrn }], meta: { tag: tags.map((code) => ({ system: 'urn:longitude:identity', code })) },
});
const criteria = (type: string, query: string) => parseSearchRequest(type, [...new URLSearchParams(query)], { strict: true });
/** The ids matched among the waiting versions, or 'sql' when only SQL can tell. */
const found = (request: ReturnType<typeof criteria>, waiting: ResourceRow[]) => matchPending(request, waiting) ?? 'sql';

test('identifier criteria are answered from the waiting versions: system|value, |value, value, system|', () => {
  const waiting = [row(patient('p1', 'M1')), row({ resourceType: 'Observation', id: 'o1', status: 'final', code: {}, identifier: [{ value: 'M2' }] })];
  assert.deepEqual(found(criteria('Patient', 'identifier=urn:mrn|M1'), waiting), ['p1']);
  assert.deepEqual(found(criteria('Patient', 'identifier=urn:mrn|M2'), waiting), [], 'another value');
  assert.deepEqual(found(criteria('Patient', 'identifier=urn:other|M1'), waiting), [], 'another system');
  assert.deepEqual(found(criteria('Patient', 'identifier=M1'), waiting), ['p1'], 'any system');
  assert.deepEqual(found(criteria('Patient', 'identifier=|M1'), waiting), [], 'M1 has a system');
  assert.deepEqual(found(criteria('Observation', 'identifier=|M2'), waiting), ['o1'], 'M2 has none');
  assert.deepEqual(found(criteria('Patient', 'identifier=urn:mrn|'), waiting), ['p1']);
  assert.deepEqual(found(criteria('Encounter', 'identifier=urn:mrn|M1'), waiting), [], 'no waiting Encounter');
});

test(':not counts resources without the value; a deleted version matches nothing; the newest version counts', () => {
  const golden = [row(patient('g1', 'M1', ['golden']))];
  const source = [row(patient('s1', 'M1'))];
  const query = 'identifier=urn:mrn|M1&_tag:not=urn:longitude:identity|golden';
  assert.deepEqual(found(criteria('Patient', query), golden), []);
  assert.deepEqual(found(criteria('Patient', query), source), ['s1']);
  assert.deepEqual(found(criteria('Patient', 'identifier=urn:mrn|M1'), [row(patient('d1', 'M1'), true)]), []);
  assert.deepEqual(found(criteria('Patient', 'identifier=urn:mrn|M1'), [row(patient('p1', 'M1')), row(patient('p1', 'M9'))]), [], 'updated away');
});

test('a Provenance is found by the identifier of the entity it names (reference:identifier)', () => {
  const provenance = row({
    resourceType: 'Provenance', id: 'pv1', target: [{ reference: 'Patient/p1' }], recorded: '2026-01-01T00:00:00Z', agent: [{ who: { display: 'hub' } }],
    entity: [{ role: 'source', what: { identifier: { system: 'urn:longitude:message-store', value: '42' } } }],
  });
  assert.deepEqual(found(criteria('Provenance', 'entity:identifier=urn:longitude:message-store|42'), [provenance]), ['pv1']);
  assert.deepEqual(found(criteria('Provenance', 'entity:identifier=urn:longitude:message-store|43'), [provenance]), []);
  assert.deepEqual(found(criteria('Provenance', 'entity:identifier=42'), [provenance]), ['pv1']);
  assert.deepEqual(found(criteria('Provenance', 'entity:identifier=|42'), [provenance]), [], 'the identifier has a system');
});

test('criteria other than plain tokens are left to SQL when a version of the type waits', () => {
  const waiting = [row(patient('p1', 'M1'))];
  assert.equal(found(criteria('Patient', 'name=Okafor'), waiting), 'sql');
  assert.equal(found(criteria('Patient', 'identifier:of-type=urn:t|MR|M1'), waiting), 'sql');
  assert.equal(found(criteria('Patient', 'identifier=urn:mrn|M\\|1'), waiting), 'sql', 'escaped values are left to SQL');
  assert.deepEqual(found(criteria('Encounter', 'date=2020'), waiting), [], 'nothing of the type waits');
});

test('a waiting Patient is always found by its own identifier (property)', () => {
  fc.assert(
    // Commas and pipes in a search value are separators unless escaped: the values here have none.
    fc.property(fc.stringMatching(/^(urn:|https?:\/\/)[A-Za-z0-9.:/_-]{1,30}$/), fc.stringMatching(/^[A-Za-z0-9._ -]{1,16}$/), (system, value) => {
      const waiting = [row({ ...patient('p', 'x'), identifier: [{ system, value }] })];
      const ids = found(criteria('Patient', `identifier=${encodeURIComponent(`${system}|${value}`)}`), waiting);
      return Array.isArray(ids) && ids[0] === 'p';
    }),
  );
});
