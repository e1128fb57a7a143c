/**
 * Token `:in` / `:not-in` against ValueSets stored in the record, and the implied code systems
 * of `code` elements (http://hl7.org/fhir/R4/search.html#token, #modifiers).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Observation, Patient, Resource, ValueSet } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { impliedCodeSystem } from './implied-systems.ts';
import { searchParametersOf } from './search-parameters.ts';
import { SearchService } from './search-service.ts';
import { hasCode, intersect, subtract, union, type CodeSet } from './value-set-expansion.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-token-in' }, role: 'care-manager' });
const loinc = 'http://loinc.org';
const snomed = 'http://snomed.info/sct';
const gender = 'http://hl7.org/fhir/administrative-gender';
const base = 'http://example.org/fhir/ValueSet';

function valueSet(id: string, fields: Partial<ValueSet>): ValueSet {
  return { resourceType: 'ValueSet', id, url: `${base}/${id}`, status: 'active', ...fields };
}

function coded(id: string, system: string | undefined, code: string | undefined): Observation {
  const coding = system && code ? [{ system, code }] : [];
  return { resourceType: 'Observation', id, status: 'final', code: coding.length > 0 ? { coding } : { text: 'not coded' } };
}

const valueSets: ValueSet[] = [
  valueSet('glucose', {
    expansion: {
      timestamp: '2024-01-01T00:00:00Z',
      contains: [{ system: loinc, code: '2339-0' }, { system: loinc, abstract: true, display: 'lipids', contains: [{ system: loinc, code: '13457-7' }] }],
    },
  }),
  valueSet('labs', { version: '1', compose: { include: [{ system: loinc, concept: [{ code: '2339-0' }, { code: '4548-4' }] }] } }),
  { ...valueSet('labs-v2', { version: '2', compose: { include: [{ system: loinc, concept: [{ code: '4548-4' }] }] } }), url: `${base}/labs` },
  valueSet('all-snomed', { compose: { include: [{ system: snomed }], exclude: [{ system: snomed, concept: [{ code: '444' }] }] } }),
  valueSet('imports', {
    compose: {
      include: [{ valueSet: [`${base}/labs|1`] }, { system: 'urn:other', concept: [{ code: 'x' }] }],
      exclude: [{ system: loinc, concept: [{ code: '4548-4' }] }],
    },
  }),
  valueSet('snomed-within-import', { compose: { include: [{ system: snomed, valueSet: [`${base}/all-snomed`], concept: [{ code: '111' }, { code: '444' }] }] } }),
  valueSet('too-deep', { compose: { include: [{ valueSet: [`${base}/imports`] }] } }),
  valueSet('filtered', { compose: { include: [{ system: snomed, filter: [{ property: 'concept', op: 'is-a', value: '73211009' }] }] } }),
  valueSet('female-or-other', { compose: { include: [{ system: gender, concept: [{ code: 'female' }, { code: 'other' }] }] } }),
];

const fixtures: Resource[] = [
  ...valueSets,
  coded('t-glu', loinc, '2339-0'),
  coded('t-a1c', loinc, '4548-4'),
  coded('t-ldl', loinc, '13457-7'),
  coded('t-sct', snomed, '111'),
  coded('t-sct-excluded', snomed, '444'),
  coded('t-other', 'urn:other', 'x'),
  coded('t-none', undefined, undefined),
  { resourceType: 'Patient', id: 't-female', gender: 'female' } satisfies Patient,
  { resourceType: 'Patient', id: 't-male', gender: 'male' } satisfies Patient,
  { resourceType: 'Patient', id: 't-other', gender: 'other' } satisfies Patient,
];

describe('code sets and implied systems', () => {
  const set = (codes: [string, string][], whole: Record<string, string[]> = {}): CodeSet => {
    const result: CodeSet = { codes: new Map(), whole: new Map(Object.entries(whole).map(([s, e]) => [s, new Set(e)])) };
    for (const [s, c] of codes) result.codes.set(s, new Set([...(result.codes.get(s) ?? []), c]));
    return result;
  };

  test('union, intersection and difference of listed codes and whole systems', () => {
    const wholeLess1 = set([], { s: ['1'] });
    assert.equal(hasCode(union(wholeLess1, set([['s', '1']])), 's', '1'), true);
    assert.equal(hasCode(union(wholeLess1, set([['t', '1']])), 's', '1'), false);
    assert.equal(hasCode(intersect(wholeLess1, set([['s', '1'], ['s', '2']])), 's', '2'), true);
    assert.equal(hasCode(intersect(wholeLess1, set([['s', '1'], ['s', '2']])), 's', '1'), false);
    assert.equal(hasCode(subtract(set([], { s: [] }), set([['s', '3']])), 's', '3'), false);
    assert.equal(hasCode(subtract(set([], { s: [] }), set([['s', '3']])), 's', '4'), true);
    // removing "all of s but 5" from "all of s" leaves 5 alone
    const onlyFive = subtract(set([], { s: [] }), set([], { s: ['5'] }));
    assert.deepEqual([hasCode(onlyFive, 's', '5'), hasCode(onlyFive, 's', '6')], [true, false]);
  });

  test('code elements bound to one code system imply it; others imply nothing', () => {
    assert.equal(impliedCodeSystem('Patient.gender'), gender);
    assert.equal(impliedCodeSystem('Observation.status'), 'http://hl7.org/fhir/observation-status');
    assert.equal(impliedCodeSystem('Encounter.status'), 'http://hl7.org/fhir/encounter-status');
    assert.equal(impliedCodeSystem('Patient.address.use'), 'http://hl7.org/fhir/address-use');
    assert.equal(impliedCodeSystem('AllergyIntolerance.clinicalStatus'), undefined); // a CodeableConcept
    assert.equal(searchParametersOf('Patient').get('gender')?.impliedSystem, gender);
    assert.equal(searchParametersOf('Observation').get('code')?.impliedSystem, undefined);
  });
});

for (const backend of testDatabases()) {
  describe(`token :in, :not-in and implied systems on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of fixtures) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    async function ids(type: string, name: string, value: string): Promise<string[]> {
      const result = await service.search(careManager, type, new URLSearchParams([[name, value]]), { strict: true });
      return result.resources.map((r) => r.id!).sort();
    }

    async function refused(name: string, value: string, reason: RegExp): Promise<void> {
      await assert.rejects(service.search(careManager, 'Observation', new URLSearchParams([[name, value]])), (err: unknown) => {
        assert.ok(err instanceof LongitudeError, String(err));
        assert.equal(err.code, 'LNG_BAD_REQUEST');
        assert.deepEqual(err.issues[0]?.expression, [name]);
        assert.match(err.message, reason);
        return true;
      });
    }

    test(':in expands a stored expansion, nested contains included', async () => {
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/glucose`), ['t-glu', 't-ldl']);
    });

    test(':in expands compose: listed concepts, by url, url|version or ValueSet/id', async () => {
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/labs|1`), ['t-a1c', 't-glu']);
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/labs|2`), ['t-a1c']);
      assert.deepEqual(await ids('Observation', 'code:in', 'ValueSet/labs'), ['t-a1c', 't-glu']);
    });

    test(':in with whole code systems, excludes and imports', async () => {
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/all-snomed`), ['t-sct']);
      // labs|1 less 4548-4, plus urn:other|x
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/imports`), ['t-glu', 't-other']);
      // the listed concepts within the imported set: 444 is excluded there
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/snomed-within-import`), ['t-sct']);
      assert.deepEqual(await ids('Observation', 'code:in', `${base}/labs|1,${base}/all-snomed`), ['t-a1c', 't-glu', 't-sct']);
    });

    test(':not-in matches everything else, resources without a coding included', async () => {
      assert.deepEqual(await ids('Observation', 'code:not-in', `${base}/labs|1`), ['t-ldl', 't-none', 't-other', 't-sct', 't-sct-excluded']);
      assert.deepEqual(await ids('Patient', 'gender:not-in', `${base}/female-or-other`), ['t-male']);
    });

    test('a code element is indexed with its implied system: system|code, code and |code', async () => {
      assert.deepEqual(await ids('Patient', 'gender:in', `${base}/female-or-other`), ['t-female', 't-other']);
      assert.deepEqual(await ids('Patient', 'gender', `${gender}|female`), ['t-female']);
      assert.deepEqual(await ids('Patient', 'gender', 'female'), ['t-female']);
      // `|code` asks for a code with no system; Patient.gender always has one (search.html#token)
      assert.deepEqual(await ids('Patient', 'gender', '|female'), []);
      assert.deepEqual(await ids('Patient', 'gender', `${gender}|`), ['t-female', 't-male', 't-other']);
      assert.deepEqual(await ids('Patient', 'gender', 'http://example.org/other-genders|female'), []);
      assert.deepEqual(await ids('Observation', 'status', 'http://hl7.org/fhir/observation-status|final'), (await ids('Observation', 'status', 'final')));
    });

    test('a ValueSet not stored, or not expandable here, is a 400 naming the parameter', async () => {
      await refused('code:in', `${base}/nowhere`, /not stored/);
      await refused('code:in', 'ValueSet/nowhere', /not stored/);
      await refused('code:not-in', `${base}/filtered`, /filter/);
      await refused('code:in', `${base}/too-deep`, /one level deep/);
      await refused('code:in', `${base}/labs|3`, /not stored/);
    });
  });
}
