/**
 * Composite search parameters (http://hl7.org/fhir/R4/search.html#composite): every part
 * must match the same element (the same Observation.component, the same variant), not any
 * code and any value of the resource.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MolecularSequence, Observation, ObservationComponent, Resource } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { componentExpression, splitComposite } from './composite.ts';
import { searchParametersOf } from './search-parameters.ts';
import { SearchService } from './search-service.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-composite' }, role: 'care-manager' });
const loinc = 'http://loinc.org';
const ucum = 'http://unitsofmeasure.org';

function pressure(code: string, value: number, unit = 'mm[Hg]'): ObservationComponent {
  return { code: { coding: [{ system: loinc, code }] }, valueQuantity: { value, unit, system: ucum, code: unit } };
}

function observation(id: string, code: string, fields: Partial<Observation>): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: loinc, code }] }, ...fields };
}

const systolic = '8480-6';
const diastolic = '8462-4';
const panel = '85354-6';

const fixtures: Resource[] = [
  observation('c-bp1', panel, { component: [pressure(systolic, 120), pressure(diastolic, 80)] }),
  // a high diastolic and a low systolic: "systolic > 100" holds for the resource only if the
  // code of one component is paired with the value of the other
  observation('c-bp2', panel, { component: [pressure(systolic, 95), pressure(diastolic, 130)] }),
  // in kPa: 14 kPa is 105.0 mm[Hg], 12 kPa is 90.0 mm[Hg]
  observation('c-bp3', panel, { component: [pressure(systolic, 14, 'kPa'), pressure(diastolic, 12, 'kPa')] }),
  observation('c-glucose', '2339-0', { valueQuantity: { value: 95, unit: 'mg/dL', system: ucum, code: 'mg/dL' } }),
  observation('c-smoking', '72166-2', { valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '449868002' }] } }),
  observation('c-onset', '11368-8', { valueDateTime: '2024-03-15' }),
  observation('c-note', '8251-1', { valueString: 'cost $5, paid' }),
  {
    resourceType: 'MolecularSequence',
    id: 'c-seq',
    type: 'dna',
    coordinateSystem: 0,
    referenceSeq: {
      chromosome: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/chromosome-human', code: '1' }] },
      genomeBuild: 'GRCh38',
      windowStart: 0,
      windowEnd: 1000,
    },
    variant: [
      { start: 120, end: 121 },
      { start: 500, end: 505 },
    ],
  } satisfies MolecularSequence,
];

describe('composite definitions', () => {
  test('Observation composites resolve their parts from the component definitions', () => {
    const params = searchParametersOf('Observation');
    const parts = (code: string) => params.get(code)?.components?.map((c) => `${c.type} ${c.expression}`);
    assert.deepEqual(parts('code-value-quantity'), ['token code', 'quantity value.ofType(Quantity)']);
    assert.deepEqual(parts('component-code-value-quantity'), ['token code', 'quantity value.ofType(Quantity)']);
    assert.deepEqual(parts('code-value-date'), ['token code', 'date value.ofType(dateTime) | value.ofType(Period)']);
    assert.deepEqual(parts('code-value-string'), ['token code', 'string value.ofType(string)']);
    assert.equal(params.get('combo-code-value-quantity')?.expression, 'Observation | Observation.component');
  });

  test('as() becomes ofType() with FHIR type names; $ splits unless escaped', () => {
    assert.equal(componentExpression('value.as(DateTime) | value.as(Period)'), 'value.ofType(dateTime) | value.ofType(Period)');
    assert.deepEqual(splitComposite('http://loinc.org|8480-6$gt100'), ['http://loinc.org|8480-6', 'gt100']);
    assert.deepEqual(splitComposite('a\\$b$c'), ['a\\$b', 'c']);
  });
});

for (const backend of testDatabases()) {
  describe(`composite search on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of fixtures) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    async function ids(type: string, params: Record<string, string>[] | Record<string, string>): Promise<string[]> {
      const query = new URLSearchParams();
      for (const set of Array.isArray(params) ? params : [params]) for (const [k, v] of Object.entries(set)) query.append(k, v);
      const result = await service.search(careManager, type, query, { strict: true });
      return result.resources.map((r) => r.id!).sort();
    }

    async function refused(query: Record<string, string>, expression: string): Promise<void> {
      await assert.rejects(service.search(careManager, 'Observation', new URLSearchParams(query), { strict: false }), (err: unknown) => {
        assert.ok(err instanceof LongitudeError, String(err));
        assert.equal(err.code, 'LNG_BAD_REQUEST');
        assert.deepEqual(err.issues[0]?.expression, [expression]);
        return true;
      });
    }

    test('both parts must match the same component', async () => {
      const cvq = 'component-code-value-quantity';
      // without a unit the number is compared as written: c-bp3's 14 kPa is not above 100
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${systolic}$gt100` }), ['c-bp1']);
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${diastolic}$gt100` }), ['c-bp2']);
      // the two separate parameters only ask for any such code and any such value: c-bp2 too
      assert.deepEqual(await ids('Observation', { 'component-code': `${loinc}|${systolic}`, 'component-value-quantity': 'gt100' }), ['c-bp1', 'c-bp2']);
    });

    test('a quantity part compares in canonical UCUM units', async () => {
      const cvq = 'component-code-value-quantity';
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${systolic}$104|${ucum}|mm[Hg]` }), []);
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${systolic}$105|${ucum}|mm[Hg]` }), ['c-bp3']);
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${systolic}$gt100||mm[Hg]` }), ['c-bp1', 'c-bp3']);
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${systolic}$gt13|${ucum}|kPa` }), ['c-bp1', 'c-bp3']);
    });

    test('comma alternatives each need their own tuple; repeated parameters all hold', async () => {
      const cvq = 'component-code-value-quantity';
      assert.deepEqual(await ids('Observation', { [cvq]: `${loinc}|${systolic}$gt110,${loinc}|${diastolic}$gt100` }), ['c-bp1', 'c-bp2']);
      assert.deepEqual(await ids('Observation', [{ [cvq]: `${loinc}|${systolic}$gt100` }, { [cvq]: `${loinc}|${diastolic}$lt90` }]), ['c-bp1']);
    });

    test('code-value-* on the Observation itself, and combo over the Observation and its components', async () => {
      assert.deepEqual(await ids('Observation', { 'code-value-quantity': `${loinc}|2339-0$gt90` }), ['c-glucose']);
      assert.deepEqual(await ids('Observation', { 'code-value-quantity': `${loinc}|2339-0$lt90` }), []);
      // the panel's own code has no value; the systolic code is only on components
      assert.deepEqual(await ids('Observation', { 'code-value-quantity': `${loinc}|${systolic}$gt100` }), []);
      assert.deepEqual(await ids('Observation', { 'combo-code-value-quantity': `${loinc}|${systolic}$gt100||mm[Hg]` }), ['c-bp1', 'c-bp3']);
      assert.deepEqual(await ids('Observation', { 'combo-code-value-quantity': `2339-0$gt90||mg/dL` }), ['c-glucose']);
      assert.deepEqual(await ids('Observation', { 'code-value-concept': `${loinc}|72166-2$http://snomed.info/sct|449868002` }), ['c-smoking']);
      assert.deepEqual(await ids('Observation', { 'code-value-concept': `${loinc}|72166-2$http://snomed.info/sct|8517006` }), []);
      assert.deepEqual(await ids('Observation', { 'code-value-date': `${loinc}|11368-8$ge2024-03` }), ['c-onset']);
      assert.deepEqual(await ids('Observation', { 'code-value-date': `${loinc}|11368-8$lt2024` }), []);
      // `\$` and `\,` are a literal $ and comma inside a part
      assert.deepEqual(await ids('Observation', { 'code-value-string': `8251-1$cost \\$5\\, paid` }), ['c-note']);
    });

    test('three parts, one of them from %resource: the same variant must hold both coordinates', async () => {
      assert.deepEqual(await ids('MolecularSequence', { 'chromosome-variant-coordinate': '1$ge120$le121' }), ['c-seq']);
      assert.deepEqual(await ids('MolecularSequence', { 'chromosome-variant-coordinate': '1$ge500$le121' }), []);
      assert.deepEqual(await ids('MolecularSequence', { 'chromosome-variant-coordinate': '2$ge120$le121' }), []);
    });

    test(':missing, and the tuples follow updates', async () => {
      assert.deepEqual(await ids('Observation', { 'component-code-value-quantity:missing': 'true' }), ['c-glucose', 'c-note', 'c-onset', 'c-smoking']);
      assert.deepEqual(await ids('Observation', { 'component-code-value-quantity:missing': 'false' }), ['c-bp1', 'c-bp2', 'c-bp3']);
      const current = (await parts.store.read(careManager, 'Observation', 'c-bp2')) as Observation;
      await parts.store.update(careManager, { ...current, component: [pressure(systolic, 130), pressure(diastolic, 95)] });
      assert.deepEqual(await ids('Observation', { 'component-code-value-quantity': `${loinc}|${systolic}$gt100` }), ['c-bp1', 'c-bp2']);
      assert.deepEqual(await ids('Observation', { 'component-code-value-quantity': `${loinc}|${diastolic}$gt100` }), []);
    });

    test('a wrong number of parts, modifiers other than :missing and _sort are refused', async () => {
      await refused({ 'code-value-quantity': `${loinc}|2339-0` }, 'code-value-quantity');
      await refused({ 'code-value-quantity': `${loinc}|2339-0$gt90$x` }, 'code-value-quantity');
      await refused({ 'code-value-quantity': `$gt90` }, 'code-value-quantity');
      await refused({ 'code-value-quantity:exact': `${loinc}|2339-0$gt90` }, 'code-value-quantity:exact');
      await refused({ 'code-value-quantity': `${loinc}|2339-0$soon` }, 'code-value-quantity');
      await refused({ _sort: 'code-value-quantity' }, '_sort');
    });
  });
}
