/**
 * Custom SearchParameter resources (http://hl7.org/fhir/R4/searchparameter.html): searchable
 * once committed, for resources written from then on; existing resources after $reindex;
 * refused with 422 when they could not be indexed; never in effect when their transaction
 * rolls back.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Patient, SearchParameter } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { reindexRecord } from '../reindex.ts';
import { SearchService } from './search-service.ts';

const admin = createAccessContext({ actor: { type: 'user', id: 'admin-custom-sp' }, role: 'admin' });
const eyeColourUrl = 'http://example.org/eye-colour';

function eyeColourParameter(overrides: Partial<SearchParameter> = {}): SearchParameter {
  return {
    resourceType: 'SearchParameter',
    url: 'http://example.org/SearchParameter/patient-eye-colour',
    name: 'EyeColour',
    status: 'active',
    description: 'Eye colour of the patient',
    code: 'eye-colour',
    base: ['Patient'],
    type: 'token',
    expression: `Patient.extension.where(url='${eyeColourUrl}').value`,
    ...overrides,
  };
}

function patientWithEyes(colour: string): Patient {
  return { resourceType: 'Patient', id: randomUUID(), name: [{ family: 'Iris' }], extension: [{ url: eyeColourUrl, valueString: colour }] };
}

async function refusal(work: Promise<unknown>): Promise<LongitudeError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof LongitudeError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

for (const backend of testDatabases()) {
  describe(`custom search parameters on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
    });
    after(() => parts.close());

    async function ids(type: string, query: string, on: SearchService = service): Promise<string[]> {
      const result = await on.search(admin, type, new URLSearchParams(query), { strict: true });
      return result.resources.map((r) => r.id!).sort();
    }

    test('existing resources are found after $reindex, new ones as soon as the parameter is committed', async () => {
      const existing = (await parts.store.update(admin, patientWithEyes('brown'))).resource;
      // Unknown before the SearchParameter exists: strict handling refuses it.
      assert.equal((await refusal(ids('Patient', 'eye-colour=brown'))).code, 'LNG_BAD_REQUEST');

      await parts.store.create(admin, eyeColourParameter());
      assert.deepEqual(await ids('Patient', 'eye-colour=brown'), [], 'stored before the parameter: not indexed yet');

      const added = (await parts.store.update(admin, patientWithEyes('brown'))).resource;
      await parts.store.update(admin, patientWithEyes('green'));
      assert.deepEqual(await ids('Patient', 'eye-colour=brown'), [added.id]);

      const result = await reindexRecord({ db: parts.db, audit: parts.audit, indexer: parts.searchIndexer }, admin, { types: ['Patient'] }, { batchSize: 2 });
      assert.equal(result.total, 3);
      assert.equal(result.byType.get('Patient'), 3);
      assert.deepEqual(await ids('Patient', 'eye-colour=brown'), [existing.id, added.id].sort());
    });

    test('another hub process on the same database sees the parameter without being told', async () => {
      const other = wireRecordParts(parts.db);
      const otherService = new SearchService({ db: other.db, audit: other.audit, parameters: other.searchParameters });
      await parts.store.create(admin, eyeColourParameter({ url: 'http://example.org/SearchParameter/hair', code: 'hair-colour', expression: "Patient.extension.where(url='http://example.org/hair').value" }));
      const written = (await other.store.update(admin, { ...patientWithEyes('x'), extension: [{ url: 'http://example.org/hair', valueString: 'red' }] })).resource;
      assert.deepEqual(await ids('Patient', 'hair-colour=red', otherService), [written.id]);
      assert.deepEqual(await ids('Patient', 'hair-colour=red'), [written.id]);
      await other.audit.flush();
    });

    test('a parameter that cannot be indexed is refused with 422 naming the element', async () => {
      const cases: [Partial<SearchParameter>, string][] = [
        [{ expression: 'Patient.extension.where(url=' }, 'SearchParameter.expression'],
        [{ expression: 'Observation.value' }, 'SearchParameter.expression'],
        [{ type: 'composite' }, 'SearchParameter.type'],
        [{ code: 'name' }, 'SearchParameter.code'],
        [{ code: '_id' }, 'SearchParameter.code'],
        [{ code: 'eye:colour' }, 'SearchParameter.code'],
        [{ code: 'eye-colour' }, 'SearchParameter.code'], // defined by the first test's SearchParameter
        [{ base: ['NotAType' as 'Patient'] }, 'SearchParameter.base'],
      ];
      for (const [overrides, element] of cases) {
        const err = await refusal(parts.store.create(admin, eyeColourParameter({ code: 'eye-shape', ...overrides })));
        assert.equal(err.code, 'LNG_UNPROCESSABLE', JSON.stringify(overrides));
        assert.equal(err.status, 422);
        assert.deepEqual(err.issues[0]?.expression, [element], JSON.stringify(overrides));
      }
      // A draft is stored as it is and defines nothing.
      await parts.store.create(admin, eyeColourParameter({ status: 'draft', code: 'draft-code', expression: 'not valid (' }));
      assert.equal((await refusal(ids('Patient', 'draft-code=x'))).code, 'LNG_BAD_REQUEST');
    });

    test('a SearchParameter written in a rolled-back transaction never takes effect', async () => {
      const patient = patientWithEyes('blue');
      await assert.rejects(
        parts.store.transaction(admin, async (tx) => {
          await tx.create(eyeColourParameter({ url: 'http://example.org/SearchParameter/rolled-back', code: 'iris' }));
          await tx.update(patient);
          throw new LongitudeError('LNG_CONFLICT', 'changed my mind');
        }),
        (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_CONFLICT',
      );
      assert.equal((await refusal(ids('Patient', 'iris=blue'))).code, 'LNG_BAD_REQUEST');
      await parts.store.update(admin, patientWithEyes('blue'));
      assert.equal((await refusal(ids('Patient', 'iris=blue'))).code, 'LNG_BAD_REQUEST');
    });

    test('a transaction that writes a SearchParameter indexes its other resources with it', async () => {
      const patient = { ...patientWithEyes('hazel'), extension: [{ url: 'http://example.org/pupil', valueString: 'round' }] };
      await parts.store.transaction(admin, async (tx) => {
        await tx.create(eyeColourParameter({ url: 'http://example.org/SearchParameter/pupil', code: 'pupil', expression: "Patient.extension.where(url='http://example.org/pupil').value" }));
        await tx.update(patient);
      });
      assert.deepEqual(await ids('Patient', 'pupil=round'), [patient.id]);
    });

    test('a deleted SearchParameter is no longer searchable, and $reindex drops its rows', async () => {
      const { resource } = await parts.store.create(admin, eyeColourParameter({ url: 'http://example.org/SearchParameter/lash', code: 'lash', expression: "Patient.extension.where(url='http://example.org/lash').value" }));
      const patient = (await parts.store.update(admin, { ...patientWithEyes('x'), extension: [{ url: 'http://example.org/lash', valueString: 'long' }] })).resource;
      assert.deepEqual(await ids('Patient', 'lash=long'), [patient.id]);
      await parts.store.delete(admin, 'SearchParameter', resource.id!);
      assert.equal((await refusal(ids('Patient', 'lash=long'))).code, 'LNG_BAD_REQUEST');
      const rowsOf = async () => (await parts.db.query(`select 1 from search_token where code = 'lash'`)).rows.length;
      assert.equal(await rowsOf(), 1);
      await reindexRecord({ db: parts.db, audit: parts.audit, indexer: parts.searchIndexer }, admin, { types: ['Patient'], id: patient.id! });
      assert.equal(await rowsOf(), 0);
    });
  });
}
