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
import { searchParametersOf, type IndexedParameter, type ValueType } from './search-parameters.ts';
import { pageStatement, type Statement } from './search-sql.ts';
import { includeStatement } from './includes.ts';

/** The resource types US Core 6 profiles (http://hl7.org/fhir/us/core/STU6.1/profiles-and-extensions.html). */
const usCoreTypes = [
  'AllergyIntolerance', 'CarePlan', 'CareTeam', 'Condition', 'Coverage', 'Device', 'DiagnosticReport', 'DocumentReference', 'Encounter',
  'Goal', 'Immunization', 'Location', 'Medication', 'MedicationDispense', 'MedicationRequest', 'Observation', 'Organization', 'Patient',
  'Practitioner', 'PractitionerRole', 'Procedure', 'Provenance', 'QuestionnaireResponse', 'RelatedPerson', 'ServiceRequest', 'Specimen',
];

const sampleValues: Record<ValueType, string> = {
  string: 'smi',
  token: 'http://loinc.org|4548-4',
  date: 'ge2024-03',
  number: '1.5',
  quantity: 'gt5|http://unitsofmeasure.org|mg',
  reference: 'Patient/p1',
  uri: 'http://example.org/x',
};

/** A composite's sample joins its parts' samples with `$` (search.html#composite). */
function sampleOf(param: IndexedParameter): string {
  if (param.components) return param.components.map((c) => sampleValues[c.type]).join('$');
  return sampleValues[param.type as ValueType];
}

async function plan(db: Db, type: string, query: string): Promise<string> {
  return explain(db, pageStatement(parseSearchRequest(type, new URLSearchParams(query), { strict: true }), {}, undefined));
}

async function explain(db: Db, statement: Statement): Promise<string> {
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
      // Both token indexes carry (type, code, system, value) since migration 0013: either is one probe.
      assert.match(await plan(db, 'Observation', 'code=http://loinc.org|4548-4'), /search_token_(value|system)_idx/);
    });

    test('a composite search probes the value indexes of its parts', async () => {
      const query = `code-value-quantity=${encodeURIComponent('http://loinc.org|8480-6$gt100|http://unitsofmeasure.org|mm[Hg]')}`;
      const text = await plan(db, 'Observation', query);
      assert.doesNotMatch(text, /Seq Scan on (search_|resource)/, text);
      assert.match(text, /search_token_\w+_idx/);
      assert.match(text, /search_quantity_\w+_idx/);
      const component = await plan(db, 'Observation', `component-code-value-quantity=${encodeURIComponent('http://loinc.org|8480-6$gt100')}`);
      assert.doesNotMatch(component, /Seq Scan on (search_|resource)/, component);
    });

    test('chains, _has and _list reach the other resources through indexes', async () => {
      const queries: [string, string][] = [
        ['Observation', 'subject:Patient.name=smi'],
        ['Observation', 'patient.identifier=urn:mrn|A1'],
        ['Encounter', 'service-provider.partof.name=north'],
        ['Patient', '_has:Observation:patient:code=http://loinc.org|4548-4'],
        ['Patient', '_has:Observation:patient:_has:Provenance:target:agent=Organization/o1'],
        ['Observation', '_list=l1'],
      ];
      for (const [type, query] of queries) {
        const text = await plan(db, type, query);
        assert.doesNotMatch(text, /Seq Scan on (search_|resource)/, `${type}?${query}\n${text}`);
      }
      assert.match(await plan(db, 'Observation', 'subject:Patient.name=smi'), /search_string_value_idx/);
      assert.match(await plan(db, 'Patient', '_has:Observation:patient:code=http://loinc.org|4548-4'), /search_token_(value|system)_idx/);
    });

    test('one level of _include and _revinclude reads search_reference by index', async () => {
      const { rows } = await db.query<{ id: string }>(`select id from resource where resource_type = 'Encounter' order by id limit 5`);
      const frontier = rows.map((r) => ({ resourceType: 'Encounter', id: r.id }));
      const statement = includeStatement(
        {
          includes: [{ name: '_include', sourceType: 'Encounter', code: 'patient', iterate: false }, { name: '_include', iterate: false }],
          revincludes: [{ name: '_revinclude', sourceType: 'Observation', code: 'encounter', iterate: false }],
        },
        frontier,
        frontier,
        1001,
      );
      const text = await explain(db, statement);
      assert.doesNotMatch(text, /Seq Scan on (search_|resource)/, text);
      // forward from the frontier's own rows; the reverse branch may start from either end
      // (reverse_idx from the frontier, or the (resource_type, code) range of the source type)
      assert.match(text, /search_reference_resource_idx/);
    });

    test('every search parameter of every US Core type can use an index', async () => {
      for (const type of usCoreTypes) {
        for (const param of searchParametersOf(type).values()) {
          const text = await plan(db, type, `${param.code}=${encodeURIComponent(sampleOf(param))}`);
          assert.doesNotMatch(text, /Seq Scan on (search_|resource)/, `${type}?${param.code}\n${text}`);
        }
      }
    });
  });
}
