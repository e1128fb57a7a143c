/**
 * Every search parameter of the US Core resource types can be answered through an index.
 * Test tables are tiny, and on tiny tables the planner rightly prefers a sequential scan; so
 * each plan is made with `enable_seqscan = off`, which makes a sequential scan the choice of
 * last resort: a plan that still scans a search table sequentially has no index to use.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../test-support/test-db.ts';
import type { Db } from '../../platform/db/db.ts';
import { wireRecordParts } from '../../test-support/hub-parts.ts';
import { systemContext } from '../../trust/access-context.ts';
import { loadSyntheaResources, syntheaFiles } from '../../test-support/synthea-fixture.ts';
import { parseSearchRequest } from './search-request.ts';
import { searchParametersOf, type IndexedType } from './search-parameters.ts';
import { pageStatement } from './search-sql.ts';

/** The resource types US Core 6 profiles (http://hl7.org/fhir/us/core/STU6.1/profiles-and-extensions.html). */
const usCoreTypes = [
  'AllergyIntolerance', 'CarePlan', 'CareTeam', 'Condition', 'Coverage', 'Device', 'DiagnosticReport', 'DocumentReference', 'Encounter',
  'Goal', 'Immunization', 'Location', 'Medication', 'MedicationDispense', 'MedicationRequest', 'Observation', 'Organization', 'Patient',
  'Practitioner', 'PractitionerRole', 'Procedure', 'Provenance', 'QuestionnaireResponse', 'RelatedPerson', 'ServiceRequest', 'Specimen',
];

const sampleValues: Record<IndexedType, string> = {
  string: 'smi',
  token: 'http://loinc.org|4548-4',
  date: 'ge2024-03',
  number: '1.5',
  quantity: 'gt5|http://unitsofmeasure.org|mg',
  reference: 'Patient/p1',
  uri: 'http://example.org/x',
};

async function plan(db: Db, type: string, query: string): Promise<string> {
  const statement = pageStatement(parseSearchRequest(type, new URLSearchParams(query), { strict: true }), {}, undefined);
  return db.transaction(async (tx) => {
    await tx.query('set local enable_seqscan = off');
    const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`explain ${statement.text}`, statement.values);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

for (const backend of testDatabases()) {
  describe(`search index use on ${backend.kind}`, () => {
    let db: Db;
    before(async () => {
      db = await backend.open();
      // A few Synthea patients give the planner realistic statistics for the value indexes.
      const parts = wireRecordParts(db);
      const system = systemContext('explain-test');
      for (const file of syntheaFiles().slice(0, 2)) {
        for (const resource of loadSyntheaResources(file)) await parts.store.update(system, resource);
      }
      await parts.audit.flush();
      await db.exec('analyze');
    });
    after(() => db.close());

    test('Patient?name=smi and Observation?patient=X&code=system|code probe their indexes', async () => {
      assert.match(await plan(db, 'Patient', 'name=smi'), /search_string_value_idx/);
      const observation = await plan(db, 'Observation', 'patient=p1&code=http://loinc.org|4548-4');
      // The selective reference index drives; each candidate is then probed in search_token
      // by its id (cheaper than a second range scan when the first yields few rows).
      assert.match(observation, /search_reference_target_idx/);
      assert.match(observation, /Index (Only )?Scan using search_token_\w+/);
      assert.match(await plan(db, 'Observation', 'code=http://loinc.org|4548-4'), /search_token_value_idx/);
    });

    test('every search parameter of every US Core type can use an index', async () => {
      for (const type of usCoreTypes) {
        for (const param of searchParametersOf(type).values()) {
          const text = await plan(db, type, `${param.code}=${encodeURIComponent(sampleValues[param.type])}`);
          assert.doesNotMatch(text, /Seq Scan on (search_|resource)/, `${type}?${param.code}\n${text}`);
        }
      }
    });
  });
}
