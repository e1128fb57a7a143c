import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { searchFixtures, usCorePatient, v2IdentifierTypes } from '../../test-support/search-fixtures.ts';
import { SearchService } from './search-service.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-search' }, role: 'care-manager' });

for (const backend of testDatabases()) {
  describe(`search on ${backend.kind}`, () => {
    let parts: RecordParts;
    let service: SearchService;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      service = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      for (const resource of searchFixtures) await parts.store.update(careManager, resource);
    });
    after(() => parts.close());

    /** The ids a query matches, sorted. */
    async function ids(type: string, query: string, strict = true): Promise<string[]> {
      const result = await service.search(careManager, type, new URLSearchParams(query), { strict });
      return result.resources.map((r) => r.id!).sort();
    }

    async function refused(type: string, query: string, expression: string, strict = true): Promise<LongitudeError> {
      try {
        await service.search(careManager, type, new URLSearchParams(query), { strict });
      } catch (err) {
        assert.ok(err instanceof LongitudeError, String(err));
        assert.equal(err.code, 'LNG_BAD_REQUEST');
        assert.deepEqual(err.issues[0]?.expression, [expression]);
        return err;
      }
      assert.fail(`${type}?${query} should be refused`);
    }

    test('string: starts-with ignoring case and accents, :exact, :contains', async () => {
      assert.deepEqual(await ids('Patient', 'name=smi'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'name=SMÍTH'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'family=smithe'), ['p-smithers']);
      assert.deepEqual(await ids('Patient', 'name:exact=Smíth'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'name:exact=smith'), []);
      assert.deepEqual(await ids('Patient', 'name:contains=ITH'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'name:contains=o%'), []);
      assert.deepEqual(await ids('Patient', 'address-city=bos'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'name=zz'), []);
    });

    test('token: code, system|code, |code, system|, :not, :text, :of-type, boolean', async () => {
      assert.deepEqual(await ids('Patient', 'gender=female'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'identifier=urn:mrn|A1'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'identifier=A1'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'identifier=urn:mrn|'), ['p-jones', 'p-smith']);
      assert.deepEqual(await ids('Patient', 'identifier=|A1'), []);
      assert.deepEqual(await ids('Patient', 'gender:not=male'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', `identifier:of-type=${v2IdentifierTypes}|MR|A1`), ['p-smith']);
      assert.deepEqual(await ids('Patient', `identifier:of-type=${v2IdentifierTypes}|MR|B2`), []);
      assert.deepEqual(await ids('Patient', 'active=true'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'phone=555-0100'), ['p-smith']);
      assert.deepEqual(await ids('Observation', 'code=http://loinc.org|4548-4'), ['o1', 'o3']);
      assert.deepEqual(await ids('Observation', 'code=http://snomed.info/sct|4548-4'), []);
      assert.deepEqual(await ids('Observation', 'code:text=hemoglobin'), ['o1']);
      assert.deepEqual(await ids('Observation', 'code:text=a1c'), ['o3']);
      assert.deepEqual(await ids('Observation', 'category=laboratory'), ['o1']);
    });

    test('date: precision-aware ranges and every prefix', async () => {
      assert.deepEqual(await ids('Patient', 'birthdate=1970'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'birthdate=1970-05'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'birthdate=eq1970-05-02'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'birthdate=ne1970'), ['p-jones']);
      assert.deepEqual(await ids('Patient', 'birthdate=ge1970-06'), ['p-jones', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'birthdate=gt1970-05-02'), ['p-jones', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'birthdate=lt1970-05-02'), []);
      assert.deepEqual(await ids('Patient', 'birthdate=le1970-05-02'), ['p-smith']);
      assert.deepEqual(await ids('Patient', 'birthdate=sa1970'), ['p-jones']);
      assert.deepEqual(await ids('Patient', 'birthdate=eb1971'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'birthdate=ap1985-11-29'), ['p-jones']);
      // o4 is an open Period from 2024-03-01: it extends beyond March, so it is ge but not eq.
      assert.deepEqual(await ids('Observation', 'date=ge2024-03'), ['o1', 'o2', 'o4']);
      assert.deepEqual(await ids('Observation', 'date=2024-03'), ['o1']);
      assert.deepEqual(await ids('Observation', 'date=2024-04-02T08:00:00Z'), ['o2']);
      assert.deepEqual(await ids('Observation', 'date=2024-04-02T10:00:00%2B02:00'), ['o2']);
      assert.deepEqual(await ids('Observation', 'date=2024-04-02T10:00:00+02:00'), ['o2']); // `+` left unencoded
      assert.deepEqual(await ids('Observation', '_lastUpdated=gt2000-01-01&code=8867-4'), ['o4']);
      assert.deepEqual(await ids('Observation', '_lastUpdated=lt2000'), []);
    });

    test('number and quantity: precision and prefixes, system and unit', async () => {
      assert.deepEqual(await ids('RiskAssessment', 'probability=0.35'), ['r1']);
      assert.deepEqual(await ids('RiskAssessment', 'probability=0.4'), ['r1']); // 0.4 means [0.35, 0.45)
      assert.deepEqual(await ids('RiskAssessment', 'probability=0.40'), []);
      assert.deepEqual(await ids('RiskAssessment', 'probability=gt0.5'), []);
      assert.deepEqual(await ids('RiskAssessment', 'probability=le0.35'), ['r1']);
      assert.deepEqual(await ids('Observation', 'value-quantity=7.2'), ['o1']);
      assert.deepEqual(await ids('Observation', 'value-quantity=gt7'), ['o1', 'o2', 'o4']);
      assert.deepEqual(await ids('Observation', 'value-quantity=gt7|http://unitsofmeasure.org|%25'), ['o1']);
      assert.deepEqual(await ids('Observation', 'value-quantity=lt7||%25'), ['o3']);
      assert.deepEqual(await ids('Observation', 'value-quantity=ap7'), ['o1']);
    });

    test('reference: Type/id, bare id, :Type, absolute URL, :identifier', async () => {
      assert.deepEqual(await ids('Observation', 'subject=Patient/p-smith'), ['o1']);
      assert.deepEqual(await ids('Observation', 'patient=p-jones'), ['o2', 'o3']);
      assert.deepEqual(await ids('Observation', 'subject:Patient=p-jones'), ['o2', 'o3']);
      assert.deepEqual(await ids('Observation', 'subject:Group=p-jones'), []);
      assert.deepEqual(await ids('Observation', 'subject=http://localhost:8080/fhir/R4/Patient/p-smith'), ['o1']);
      assert.deepEqual(await ids('Observation', 'subject:identifier=urn:mrn|A1'), ['o5']);
      assert.deepEqual(await ids('RiskAssessment', 'patient=Patient/p-smith'), ['r1']);
    });

    test('uri, _tag, _profile, _source, _security and _id', async () => {
      assert.deepEqual(await ids('Patient', `_profile=${usCorePatient}`), ['p-smith']);
      assert.deepEqual(await ids('Patient', '_profile:below=http://hl7.org/fhir/us/core/'), ['p-smith']);
      assert.deepEqual(await ids('Patient', '_profile:above=http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient/extra'), ['p-smith']);
      assert.deepEqual(await ids('Patient', '_source=urn:src:ehr'), ['p-smith']);
      assert.deepEqual(await ids('Patient', '_tag=urn:tags|vip'), ['p-smith']);
      assert.deepEqual(await ids('Patient', '_security=R'), []);
      assert.deepEqual(await ids('Patient', '_id=p-smith,p-jones'), ['p-jones', 'p-smith']);
      assert.deepEqual(await ids('Patient', '_id:not=p-smith'), ['p-jones', 'p-smithers']);
    });

    test(':missing, OR within a parameter, AND across repeats', async () => {
      assert.deepEqual(await ids('Observation', 'subject:missing=true'), ['o4']);
      assert.deepEqual(await ids('Observation', 'subject:missing=false'), ['o1', 'o2', 'o3', 'o5']);
      assert.deepEqual(await ids('Patient', 'address-city:missing=true'), ['p-jones', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'name=jon,smithers'), ['p-jones', 'p-smithers']);
      assert.deepEqual(await ids('Patient', 'name=smi&birthdate=1970-12'), ['p-smithers']);
      assert.deepEqual(await ids('Patient', 'birthdate=ge1970&birthdate=lt1971'), ['p-smith', 'p-smithers']);
      assert.deepEqual(await ids('Observation', 'status=final,amended&code=4548-4,8867-4'), ['o1', 'o4']);
    });

    test('_sort by several keys, descending, id breaking ties', async () => {
      const sorted = async (type: string, query: string) =>
        (await service.search(careManager, type, new URLSearchParams(query))).resources.map((r) => r.id);
      assert.deepEqual(await sorted('Patient', '_sort=-birthdate'), ['p-jones', 'p-smithers', 'p-smith']);
      assert.deepEqual(await sorted('Patient', '_sort=birthdate'), ['p-smith', 'p-smithers', 'p-jones']);
      assert.deepEqual(await sorted('Observation', '_sort=code,-date'), ['o2', 'o1', 'o3', 'o5', 'o4']);
      assert.deepEqual(await sorted('Observation', '_sort=status,_id'), ['o4', 'o1', 'o2', 'o5', 'o3']);
    });

    test('_total, _summary=count and _elements', async () => {
      const counted = await service.search(careManager, 'Patient', new URLSearchParams('name=smi&_total=accurate&_count=1'));
      assert.equal(counted.total, 2);
      assert.equal(counted.resources.length, 1);
      assert.equal((await service.search(careManager, 'Patient', new URLSearchParams('name=smi'))).total, undefined);
      const summary = await service.search(careManager, 'Patient', new URLSearchParams('_summary=count'));
      assert.equal(summary.total, 3);
      assert.deepEqual(summary.resources, []);
      const [trimmed] = (await service.search(careManager, 'Patient', new URLSearchParams('_id=p-smith&_elements=gender'))).resources as Patient[];
      assert.equal(trimmed?.gender, 'female');
      assert.equal(trimmed?.name, undefined);
      assert.ok(trimmed?.meta?.tag?.some((t) => t.code === 'SUBSETTED'));
      const [obs] = (await service.search(careManager, 'Observation', new URLSearchParams('_id=o1&_elements=subject'))).resources;
      assert.deepEqual(Object.keys(obs!).sort(), ['code', 'id', 'meta', 'resourceType', 'status', 'subject']);
    });

    test('_summary=true, text and data trim each resource and mark it SUBSETTED', async () => {
      const one = async (summary: string) =>
        (await service.search(careManager, 'Patient', new URLSearchParams(`_id=p-smith&_summary=${summary}`))).resources[0] as Patient;
      const summary = await one('true');
      assert.equal(summary.birthDate, '1970-05-02');
      assert.equal(summary.telecom?.[0]?.value, '555-0100');
      assert.ok(summary.meta?.tag?.some((t) => t.code === 'SUBSETTED'));
      const text = await one('text');
      assert.deepEqual(Object.keys(text).sort(), ['id', 'meta', 'resourceType']);
      const data = await one('data');
      assert.equal(data.name?.[0]?.family, 'Smíth');
      assert.ok(data.meta?.tag?.some((t) => t.code === 'SUBSETTED'));
      assert.equal((await one('false')).meta?.tag?.some((t) => t.code === 'SUBSETTED'), false);
    });

    test('system-level search across the types in _type, with their shared parameters', async () => {
      const system = async (query: string) =>
        (await service.searchSystem(careManager, new URLSearchParams(query), { strict: true })).resources.map((r) => `${r.resourceType}/${r.id}`);
      assert.deepEqual(await system('_type=Patient,Observation&_id=p-smith,o1'), ['Observation/o1', 'Patient/p-smith']);
      assert.deepEqual(await system('_type=Patient&_type=RiskAssessment&_tag=urn:tags|vip'), ['Patient/p-smith']);
      // walking all pages visits each resource of both types once
      const seen: string[] = [];
      let params = new URLSearchParams('_type=Patient,RiskAssessment&_count=2&_sort=-_lastUpdated');
      for (;;) {
        const page = await service.searchSystem(careManager, params);
        seen.push(...page.resources.map((r) => `${r.resourceType}/${r.id}`));
        if (!page.next) break;
        params = new URLSearchParams([...params].filter(([k]) => k !== '_cursor').concat([['_cursor', page.next]]));
      }
      assert.deepEqual(seen.sort(), ['Patient/p-jones', 'Patient/p-smith', 'Patient/p-smithers', 'RiskAssessment/r1']);
      await assert.rejects(service.searchSystem(careManager, new URLSearchParams('_type=Patient,Observation&name=smi'), { strict: true }), (err: LongitudeError) =>
        err.issues[0]?.expression?.[0] === 'name');
      await assert.rejects(service.searchSystem(careManager, new URLSearchParams('_type=Spaceship')), (err: LongitudeError) => err.issues[0]?.expression?.[0] === '_type');
      await assert.rejects(service.searchSystem(careManager, new URLSearchParams('_id=p-smith')), (err: LongitudeError) => err.issues[0]?.expression?.[0] === '_type');
    });

    test('updates re-index and deleted resources leave the index', async () => {
      const { resource } = await parts.store.update(careManager, { resourceType: 'Patient', id: 'p-temp', name: [{ family: 'Quill' }] });
      assert.deepEqual(await ids('Patient', 'name=quill'), ['p-temp']);
      await parts.store.update(careManager, { ...resource, name: [{ family: 'Quartz' }] });
      assert.deepEqual(await ids('Patient', 'name=quill'), []);
      assert.deepEqual(await ids('Patient', 'name=quartz'), ['p-temp']);
      await parts.store.delete(createAccessContext({ actor: { type: 'user', id: 'a' }, role: 'admin' }), 'Patient', 'p-temp');
      assert.deepEqual(await ids('Patient', 'name=quartz'), []);
      const { rows } = await parts.db.query<{ n: number }>(`select count(*)::int as n from search_string where id = 'p-temp'`);
      assert.equal(rows[0]?.n, 0);
    });

    test('unknown parameters: refused under strict handling, a warning under lenient', async () => {
      await refused('Patient', 'foo=1', 'foo');
      const lenient = await service.search(careManager, 'Patient', new URLSearchParams('foo=1&name=jon'), { strict: false });
      assert.deepEqual(lenient.resources.map((r) => r.id), ['p-jones']);
      assert.deepEqual(lenient.warnings[0]?.expression, ['foo']);
      await refused('Patient', '_contained=true', '_contained');
    });

    test('bad values and unsupported modifiers name the parameter, whatever the handling', async () => {
      await refused('Patient', 'birthdate=yesterday', 'birthdate', false);
      await refused('Patient', 'name:below=x', 'name:below', false);
      await refused('Patient', 'gender:missing=maybe', 'gender:missing', false);
      await refused('Patient', '_count=5000', '_count', false);
      await refused('Patient', '_sort=nope', '_sort', false);
      await refused('Patient', '_total=some', '_total', false);
      await refused('Patient', '_summary=short', '_summary', false);
      await refused('Patient', '_cursor=junk', '_cursor', false);
      await refused('RiskAssessment', 'probability=lots', 'probability', false);
      await refused('Observation', 'value-quantity=gtx|u|c', 'value-quantity', false);
      await refused('Patient', `identifier:of-type=${v2IdentifierTypes}|MR`, 'identifier:of-type', false);
    });
  });
}
