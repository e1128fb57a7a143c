import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { testDatabases } from '../../test-support/test-db.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { batchLookupStatement } from './batch-lookup.ts';
import { pageStatement } from './search-sql.ts';
import { parseSearchRequest } from './search-request.ts';

const admin = createAccessContext({ actor: { type: 'user', id: 'admin-1' }, role: 'admin' });

/** A conditional lookup's statement, as StoreTransaction builds it: two rows at most, no sort. */
const lookup = (resourceType: string, query: string) =>
  pageStatement({ ...parseSearchRequest(resourceType, [...new URLSearchParams(query)], { strict: true }), count: 2, sort: [] }, {}, undefined);

const patient = (mrn: string, birthDate: string, tags: string[] = []): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:mrn', value: mrn }],
  birthDate,
  meta: { tag: tags.map((code) => ({ system: 'urn:longitude:identity', code })) },
});

test('searches of one shape share a lateral subquery; a shape differing in a date keeps one subquery each', () => {
  const searches = [
    lookup('Patient', 'identifier=urn:mrn|A'),
    lookup('Patient', 'identifier=urn:mrn|B'),
    lookup('Patient', 'identifier=urn:other|C'),
    lookup('Patient', 'birthdate=1970-01-01'),
    lookup('Patient', 'birthdate=1980-01-01'),
  ];
  const { text, values } = batchLookupStatement(searches);
  assert.equal(text.match(/cross join lateral/g)?.length, 1, 'the three identifier lookups');
  assert.equal(text.match(/^select \d as k/gm)?.length, 2, 'one subquery per birth date');
  assert.ok(values.some((v) => Array.isArray(v) && v.join() === 'A,B,C'), 'the varying values as one array');
});

for (const backend of testDatabases()) {
  describe(`batch lookup on ${backend.kind}`, () => {
    let parts: RecordParts;
    before(async () => {
      parts = wireRecordParts(await backend.open());
    });
    after(() => parts.close());

    test('answers every search as running it alone would', async () => {
      const stored = [];
      for (const [mrn, birthDate, tags] of [['M1', '1970-01-01', []], ['M1', '1970-01-01', ['golden']], ['M2', '1980-05-05', []], ['M3', '1980-05-05', []]] as const) {
        stored.push((await parts.store.create(admin, patient(mrn, birthDate, [...tags]))).resource);
      }
      const searches = [
        ...['M1', 'M2', 'M3', 'M9'].map((mrn) => lookup('Patient', `identifier=urn:mrn|${mrn}&_tag:not=urn:longitude:identity|golden`)),
        ...['M1', 'M2'].map((mrn) => lookup('Patient', `identifier=urn:mrn|${mrn}`)),
        ...['1970-01-01', 'ge1980'].map((date) => lookup('Patient', `birthdate=${date}`)),
        lookup('Patient', 'identifier=|M1'),
      ];
      const alone = await Promise.all(searches.map(async (s) => (await parts.db.query<{ id: string }>(s.text, s.values)).rows.map((r) => r.id).sort()));
      const batched = batchLookupStatement(searches);
      const together = searches.map(() => [] as string[]);
      for (const row of (await parts.db.query<{ k: number; id: string }>(batched.text, batched.values)).rows) together[Number(row.k)]!.push(row.id);
      assert.deepEqual(together.map((ids) => ids.sort()), alone);
      assert.deepEqual(alone.slice(0, 4).map((ids) => ids.length), [1, 1, 1, 0], 'the golden M1 left out, M9 unknown');
      assert.equal(alone[4]!.length, 2, 'both M1 without the tag filter');
      assert.deepEqual(alone[7], [stored[2]!.id, stored[3]!.id].sort(), 'born 1980 or later');
    });
  });
}
