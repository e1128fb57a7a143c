/**
 * Quantity search in canonical UCUM units (http://hl7.org/fhir/R4/search.html#quantity), with
 * the as-written comparison kept for values whose unit does not convert.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Observation, Quantity } from '@medplum/fhirtypes';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { SearchService } from './search-service.ts';
import { toCanonical } from './ucum.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-quantity' }, role: 'care-manager' });
const ucum = 'http://unitsofmeasure.org';

function measured(id: string, valueQuantity: Quantity): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] }, valueQuantity };
}

const fixtures: Observation[] = [
  measured('q-pct', { value: 7.5, unit: '%', system: ucum, code: '%' }),
  measured('q-ratio', { value: 0.075, unit: 'ratio', system: ucum, code: '1' }),
  measured('q-gl', { value: 0.06, unit: 'g/L', system: ucum, code: 'g/L' }),
  measured('q-mgdl', { value: 5, unit: 'mg/dL', system: ucum, code: 'mg/dL' }),
  // no system: the unit text parses as UCUM, so it is normalized too
  measured('q-nosys', { value: 4.2, unit: 'mg/dL' }),
  // another unit system: compared as written only
  measured('q-custom', { value: 7.5, unit: 'percent', system: 'http://example.org/units', code: '%' }),
  // an arbitrary unit, which UCUM cannot convert: compared as written only
  measured('q-arb', { value: 3, unit: 'IU/L', system: ucum, code: '[IU]/L' }),
  // special units: converted by function, not by a factor (37 Cel = 98.6 [degF] = 310.15 K)
  measured('q-cel', { value: 37, unit: 'C', system: ucum, code: 'Cel' }),
  measured('q-degf', { value: 98.6, unit: 'F', system: ucum, code: '[degF]' }),
];

describe('UCUM canonical units', () => {
  test('converts to base units with a canonical unit string', () => {
    assert.deepEqual(toCanonical(7.5, '%'), { value: '0.075', unit: '1' });
    assert.deepEqual(toCanonical(5.5, 'mg/dL'), { value: '55', unit: 'g.m-3' });
    assert.deepEqual(toCanonical(0.055, 'g/L'), { value: '55', unit: 'g.m-3' });
    assert.deepEqual(toCanonical(72, '/min'), { value: '1.2', unit: 's-1' });
    assert.deepEqual(toCanonical(37, 'Cel'), { value: '310.15', unit: 'K' });
    // float noise is rounded away: 5 × 10*3/uL is 5e12 per m3, not 4999999999999.999
    assert.deepEqual(toCanonical(5, '10*3/uL'), { value: '5000000000000', unit: 'm-3' });
  });

  test('units that do not convert: unknown, arbitrary, decreasing, empty', () => {
    assert.equal(toCanonical(1, 'furlong-ish'), undefined);
    assert.equal(toCanonical(3, '[IU]/L'), undefined);
    assert.equal(toCanonical(7.4, '[pH]'), undefined); // a higher pH is a lower concentration
    assert.equal(toCanonical(1, ''), undefined);
  });
});

for (const backend of testDatabases()) {
  describe(`quantity search in canonical units on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of fixtures) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    async function ids(query: string): Promise<string[]> {
      const result = await service.search(careManager, 'Observation', new URLSearchParams(query), { strict: true });
      return result.resources.map((r) => r.id!).sort();
    }

    test('the index keeps the canonical value and unit beside the value as written', async () => {
      const { rows } = await parts.db.query<{ id: string; canonical_value: string | null; canonical_unit: string | null }>(
        `select id, canonical_value::text, canonical_unit from search_quantity where code = 'value-quantity' order by id`,
      );
      const byId = Object.fromEntries(rows.map((r) => [r.id, [r.canonical_value, r.canonical_unit]]));
      assert.deepEqual(byId['q-gl'], ['60', 'g.m-3']);
      assert.deepEqual(byId['q-nosys'], ['42', 'g.m-3']);
      assert.deepEqual(byId['q-pct'], ['0.075', '1']);
      assert.deepEqual(byId['q-custom'], [null, null]);
      assert.deepEqual(byId['q-arb'], [null, null]);
    });

    test('7.5 % and 0.075 (unit 1) find the same resources', async () => {
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('7.5|http://unitsofmeasure.org|%')}`), ['q-pct', 'q-ratio']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('0.075|http://unitsofmeasure.org|1')}`), ['q-pct', 'q-ratio']);
    });

    test('mg/dL searches compare with values stored in g/L, and the reverse', async () => {
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('gt5.5||mg/dL')}`), ['q-gl']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('lt5.5||mg/dL')}`), ['q-mgdl', 'q-nosys']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('0.05|http://unitsofmeasure.org|g/L')}`), ['q-mgdl']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('ge0.042|http://unitsofmeasure.org|g/L')}`), ['q-gl', 'q-mgdl', 'q-nosys']);
    });

    test('eq ranges come from the significant digits, applied in canonical units', async () => {
      // 6 mg/dL is [5.5, 6.5) mg/dL = [55, 65) g/m3: 0.06 g/L (60 g/m3) is inside
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('6|http://unitsofmeasure.org|mg/dL')}`), ['q-gl']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('6.0|http://unitsofmeasure.org|mg/dL')}`), ['q-gl']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('6.1|http://unitsofmeasure.org|mg/dL')}`), []);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('ne6|http://unitsofmeasure.org|mg/dL')}`), ['q-mgdl', 'q-nosys']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('ap6.5|http://unitsofmeasure.org|mg/dL')}`), ['q-gl']);
    });

    test('special units convert by function: 37 Cel and 98.6 [degF] are the same temperature', async () => {
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('37|http://unitsofmeasure.org|Cel')}`), ['q-cel', 'q-degf']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('gt300|http://unitsofmeasure.org|K')}`), ['q-cel', 'q-degf']);
    });

    test('values without a convertible unit fall back to the comparison as written', async () => {
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('3|http://unitsofmeasure.org|[IU]/L')}`), ['q-arb']);
      assert.deepEqual(await ids(`value-quantity=${encodeURIComponent('7.5|http://example.org/units|%')}`), ['q-custom']);
      // no unit at all: the number alone, as written
      assert.deepEqual(await ids('value-quantity=7.5'), ['q-custom', 'q-pct']);
    });
  });
}
