import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, CapabilityStatement, OperationOutcome } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { searchFixtures } from '../../test-support/search-fixtures.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { systemContext } from '../../trust/access-context.ts';

const base = 'http://localhost:8080/fhir/R4';

for (const backend of testDatabases()) {
  describe(`FHIR search over HTTP on ${backend.kind}`, () => {
    let t: TestHub;
    let careManager: string;
    before(async () => {
      t = await openTestHub(await backend.open());
      careManager = await t.token('care-manager');
      for (const resource of searchFixtures) await t.hub.store.update(systemContext('search-test'), resource);
    });
    after(() => t.close());

    function get(url: string, token = careManager, headers: Record<string, string> = {}) {
      return t.app.fastify.inject({ method: 'GET', url: `/fhir/R4${url}`, headers: { authorization: `Bearer ${token}`, ...headers } });
    }

    async function searchAudits(subject: string): Promise<{ outcome: string }[]> {
      await t.hub.audit.flush();
      const { rows } = await t.hub.db.query<{ outcome: string }>(
        `select event->>'outcome' as outcome from audit_event
          where event->'subtype'->0->>'code' = 'search' and event->'agent'->0->'who'->'identifier'->>'value' = $1 order by seq`,
        [subject],
      );
      return rows;
    }

    test('GET /Patient answers a searchset Bundle with absolute links and full URLs', async () => {
      const res = await get('/Patient?name=smi&_count=1&_total=accurate');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/fhir\+json/);
      const bundle = res.json<Bundle>();
      assert.equal(bundle.type, 'searchset');
      assert.equal(bundle.total, 2);
      assert.equal(bundle.entry?.[0]?.search?.mode, 'match');
      assert.equal(bundle.entry?.[0]?.fullUrl, `${base}/Patient/${bundle.entry?.[0]?.resource?.id}`);
      assert.equal(bundle.link?.find((l) => l.relation === 'self')?.url, `${base}/Patient?name=smi&_count=1&_total=accurate`);
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      assert.ok(next?.startsWith(`${base}/Patient?name=smi&_count=1&_total=accurate&_cursor=`), next);
      const second = (await get(next!.slice(base.length))).json<Bundle>();
      assert.equal(second.entry?.length, 1);
      assert.notEqual(second.entry?.[0]?.resource?.id, bundle.entry?.[0]?.resource?.id);
      assert.ok(second.link?.some((l) => l.relation === 'previous'));
      assert.ok(!second.link?.some((l) => l.relation === 'next'));
    });

    test('POST /Patient/_search takes form-encoded parameters', async () => {
      const res = await t.app.fastify.inject({
        method: 'POST',
        url: '/fhir/R4/Patient/_search',
        headers: { authorization: `Bearer ${careManager}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'identifier=urn%3Amrn%7CA1',
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json<Bundle>().entry?.map((e) => e.resource?.id), ['p-smith']);
    });

    test('_summary=count answers only the total', async () => {
      const bundle = (await get('/Observation?code=4548-4&_summary=count')).json<Bundle>();
      assert.equal(bundle.total, 2);
      assert.equal(bundle.entry, undefined);
    });

    test('Prefer: handling=strict refuses an unknown parameter; lenient reports it in the Bundle', async () => {
      const strict = await get('/Patient?foo=bar', careManager, { prefer: 'handling=strict' });
      assert.equal(strict.statusCode, 400);
      const outcome = strict.json<OperationOutcome>();
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.deepEqual(outcome.issue[0]?.expression, ['foo']);
      const lenient = (await get('/Patient?foo=bar&gender=male', careManager, { prefer: 'handling=lenient' })).json<Bundle>();
      assert.deepEqual(lenient.entry?.filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id), ['p-jones']);
      const warning = lenient.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome;
      assert.deepEqual(warning.issue[0]?.expression, ['foo']);
    });

    test('a member finds only resources in their own Patient compartment', async () => {
      const member = await t.token('member', { personId: 'p-jones', subject: 'member-jones' });
      const observations = (await get('/Observation?_sort=_id', member)).json<Bundle>();
      assert.deepEqual(observations.entry?.map((e) => e.resource?.id), ['o2', 'o3']);
      const patients = (await get('/Patient', member)).json<Bundle>();
      assert.deepEqual(patients.entry?.map((e) => e.resource?.id), ['p-jones']);
      assert.equal((await get('/Observation?subject=Patient/p-smith', member)).json<Bundle>().entry, undefined);
      assert.equal((await get('/Organization', member)).json<Bundle>().entry, undefined);
    });

    test('GET /?_type=... searches several types; a member still sees only their own record', async () => {
      const res = await get('/?_type=Patient,Observation&_id=p-smith,o1,o2');
      assert.equal(res.statusCode, 200);
      const bundle = res.json<Bundle>();
      assert.deepEqual(bundle.entry?.map((e) => e.fullUrl).sort(), [`${base}/Observation/o1`, `${base}/Observation/o2`, `${base}/Patient/p-smith`]);
      assert.equal(bundle.link?.[0]?.url, `${base}?_type=Patient%2CObservation&_id=p-smith%2Co1%2Co2`);
      const member = await t.token('member', { personId: 'p-jones' });
      const own = (await get('/?_type=Patient,Observation', member)).json<Bundle>();
      assert.deepEqual(own.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort(), ['Observation/o2', 'Observation/o3', 'Patient/p-jones']);
      assert.equal((await get('/')).statusCode, 400);
    });

    test('every search leaves one audit entry, refusals included', async () => {
      const agent = await t.token('service-agent', { subject: 'agent-search' });
      assert.equal((await get('/Patient?gender=male', agent)).statusCode, 200);
      const refused = await get('/Observation?code=4548-4', agent);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json<OperationOutcome>().issue[0]?.code, 'forbidden');
      assert.equal((await get('/Patient?birthdate=junk', agent)).statusCode, 400);
      assert.deepEqual(await searchAudits('agent-search'), [{ outcome: '0' }, { outcome: '4' }, { outcome: '4' }]);
    });

    test('unknown types are not found', async () => {
      assert.equal((await get('/Spaceship?name=x')).statusCode, 404);
    });

    test('random queries never fail with 500: a Bundle or an OperationOutcome, always', async () => {
      const names = ['name', 'family', 'birthdate', 'gender', 'identifier', 'subject', 'patient', 'code', 'date', 'value-quantity', 'probability',
        '_id', '_lastUpdated', '_tag', '_profile', '_sort', '_count', '_total', '_summary', '_elements', '_cursor', 'foo', '_include', 'a.b', ''];
      const modifiers = ['', ':exact', ':contains', ':missing', ':not', ':text', ':of-type', ':identifier', ':Patient', ':below', ':above', ':junk'];
      const values = fc.oneof(
        fc.constantFrom('smi', 'true', 'false', '1970', 'ge2024-03', 'lt7', 'ap0.3', 'Patient/p-smith', 'http://loinc.org|4548-4', '|A1', 'urn:mrn|',
          'a|b|c', '-birthdate,name', '0', '1001', 'count', 'accurate', 'gender', 'eyJ4Ijox', '\\,', '%', '%25', ''),
        fc.string({ maxLength: 12 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
      );
      const query = fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...modifiers), values), { maxLength: 4 });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('Patient', 'Observation', 'RiskAssessment'), query, fc.boolean(), async (type, params, strict) => {
          const search = new URLSearchParams(params.map(([n, m, v]): [string, string] => [`${n}${m}`, v])).toString();
          const res = await get(`/${type}?${search}`, careManager, strict ? { prefer: 'handling=strict' } : {});
          assert.ok(res.statusCode < 500, `${type}?${search} answered ${res.statusCode}: ${res.body}`);
          const body = res.json<{ resourceType: string }>();
          assert.equal(body.resourceType, res.statusCode === 200 ? 'Bundle' : 'OperationOutcome');
        }),
        { numRuns: 150 },
      );
    });

    test('_revinclude and _include add entries with search mode include, for the page only; links keep them', async () => {
      const res = await get('/Observation?code=4548-4&_sort=_id&_count=1&_total=accurate&_revinclude=Provenance:target&_include=Observation:patient');
      assert.equal(res.statusCode, 200);
      const bundle = res.json<Bundle>();
      assert.equal(bundle.total, 2);
      assert.deepEqual(bundle.entry?.map((e) => [e.search?.mode, e.fullUrl]), [
        ['match', `${base}/Observation/o1`],
        ['include', `${base}/Patient/p-smith`],
        ['include', `${base}/Provenance/prov-o1`],
      ]);
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      assert.ok(next?.startsWith(`${base}/Observation?code=4548-4&_sort=_id&_count=1&_total=accurate&_revinclude=Provenance%3Atarget&_include=Observation%3Apatient&_cursor=`), next);
      const second = (await get(next!.slice(base.length))).json<Bundle>();
      assert.deepEqual(second.entry?.map((e) => [e.search?.mode, e.fullUrl]), [
        ['match', `${base}/Observation/o3`],
        ['include', `${base}/Patient/p-jones`],
      ]);
      // A member's List names p-smith and her o1 beside p-jones' o3: only o3 comes back.
      const member = await t.token('member', { personId: 'p-jones' });
      const own = (await get('/List?_include=List:item&_revinclude=Provenance:target', member)).json<Bundle>();
      assert.deepEqual(own.entry?.map((e) => `${e.search?.mode} ${e.resource?.resourceType}/${e.resource?.id}`), ['match List/list-a1c', 'include Observation/o3']);
      const metadata = (await get('/metadata')).json<CapabilityStatement>();
      const resource = (type: string) => metadata.rest?.[0]?.resource?.find((r) => r.type === type);
      assert.ok(resource('Observation')?.searchInclude?.includes('Observation:patient'));
      assert.ok(resource('Patient')?.searchRevInclude?.includes('Observation:subject'));
      assert.equal(resource('Patient')?.searchRevInclude?.[0], '*');
    });
  });
}
