/**
 * $reindex over HTTP at the system, type and instance levels, with a custom SearchParameter
 * created through the API: admin only, audited, and answered with counts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, CapabilityStatement, Observation, OperationOutcome, Parameters, Patient } from '@medplum/fhirtypes';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import type { Role } from '../../trust/access-context.ts';

const shoeSize = 'http://example.org/shoe-size';

function countsOf(parameters: Parameters): { total: number; byType: Record<string, number> } {
  assert.equal(parameters.resourceType, 'Parameters');
  const total = parameters.parameter?.find((p) => p.name === 'count')?.valueInteger ?? -1;
  const byType = Object.fromEntries(
    (parameters.parameter ?? [])
      .filter((p) => p.name === 'type')
      .map((p) => [p.part?.find((q) => q.name === 'type')?.valueCode ?? '', p.part?.find((q) => q.name === 'count')?.valueInteger ?? -1]),
  );
  return { total, byType };
}

for (const backend of testDatabases()) {
  describe(`$reindex over HTTP on ${backend.kind}`, () => {
    let t: TestHub;
    const tokens = {} as Record<Role, string>;
    const patientIds: string[] = [];
    before(async () => {
      t = await openTestHub(await backend.open());
      for (const role of ['admin', 'care-manager'] as const) tokens[role] = await t.token(role);
      for (const size of ['42', '42', '38']) {
        const res = await request('POST', '/Patient', 'admin', { resourceType: 'Patient', extension: [{ url: shoeSize, valueString: size }] } satisfies Patient);
        patientIds.push((res.json() as Patient).id!);
      }
      for (const code of ['a', 'b']) {
        await request('POST', '/Observation', 'admin', { resourceType: 'Observation', status: 'final', code: { text: code } } satisfies Observation);
      }
    });
    after(() => t.close());

    function request(method: 'GET' | 'POST', url: string, role?: Role, body?: unknown) {
      return t.app.fastify.inject({
        method,
        url: `/fhir/R4${url}`,
        headers: { ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}), ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    }

    async function shoeSizeIds(size: string): Promise<string[]> {
      const res = await request('GET', `/Patient?shoe-size=${size}`, 'admin');
      assert.equal(res.statusCode, 200, res.body);
      return ((res.json() as Bundle).entry ?? []).map((e) => e.resource!.id!).sort();
    }

    test('a SearchParameter posted by a client is listed, and finds the patients stored before it after $reindex', async () => {
      const invalid = await request('POST', '/SearchParameter', 'admin', {
        resourceType: 'SearchParameter', url: 'http://example.org/sp/bad', name: 'Bad', status: 'active', description: 'x',
        code: 'bad', base: ['Patient'], type: 'token', expression: 'Patient.extension.where(',
      });
      assert.equal(invalid.statusCode, 422, invalid.body);
      assert.deepEqual((invalid.json() as OperationOutcome).issue[0]?.expression, ['SearchParameter.expression']);

      const created = await request('POST', '/SearchParameter', 'admin', {
        resourceType: 'SearchParameter', url: 'http://example.org/sp/shoe-size', name: 'ShoeSize', status: 'active', description: 'Shoe size',
        code: 'shoe-size', base: ['Patient'], type: 'token', expression: `Patient.extension.where(url='${shoeSize}').value`,
      });
      assert.equal(created.statusCode, 201, created.body);
      const metadata = (await request('GET', '/metadata')).json() as CapabilityStatement;
      const listed = metadata.rest?.[0]?.resource?.find((r) => r.type === 'Patient')?.searchParam?.find((p) => p.name === 'shoe-size');
      assert.deepEqual(listed, { name: 'shoe-size', type: 'token', definition: 'http://example.org/sp/shoe-size' });
      assert.deepEqual(await shoeSizeIds('42'), []);

      const res = await request('POST', '/$reindex?_type=Patient', 'admin');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(countsOf(res.json() as Parameters), { total: 3, byType: { Patient: 3 } });
      assert.deepEqual(await shoeSizeIds('42'), patientIds.slice(0, 2).sort());
      assert.deepEqual(await shoeSizeIds('38'), [patientIds[2]]);
    });

    test('type and instance level, and a Parameters body at the system level', async () => {
      const type = await request('POST', '/Observation/$reindex', 'admin');
      assert.equal(type.statusCode, 200, type.body);
      assert.deepEqual(countsOf(type.json() as Parameters), { total: 2, byType: { Observation: 2 } });

      const instance = await request('POST', `/Patient/${patientIds[0]}/$reindex`, 'admin');
      assert.equal(instance.statusCode, 200, instance.body);
      assert.deepEqual(countsOf(instance.json() as Parameters), { total: 1, byType: { Patient: 1 } });

      const body = { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'Observation' }, { name: 'type', valueCode: 'Patient' }] };
      const system = await request('POST', '/$reindex', 'admin', body);
      assert.equal(system.statusCode, 200, system.body);
      // The SearchParameters written by the first test are resources too; they are not asked for here.
      assert.deepEqual(countsOf(system.json() as Parameters), { total: 5, byType: { Observation: 2, Patient: 3 } });

      const everything = countsOf((await request('POST', '/$reindex', 'admin')).json() as Parameters);
      assert.equal(everything.byType.SearchParameter, 1);
      assert.equal(everything.total, 6);

      assert.equal((await request('POST', '/Patient/nobody/$reindex', 'admin')).statusCode, 404);
      const unknown = await request('POST', '/$reindex?_type=Nonsense', 'admin');
      assert.equal(unknown.statusCode, 400);
      assert.deepEqual((unknown.json() as OperationOutcome).issue[0]?.expression, ['_type']);
    });

    test('a care manager is refused at every level, and every attempt is audited', async () => {
      for (const url of ['/$reindex', '/Patient/$reindex', `/Patient/${patientIds[0]}/$reindex`]) {
        const res = await request('POST', url, 'care-manager');
        assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
        assert.equal((res.json() as OperationOutcome).issue[0]?.code, 'forbidden');
      }
      await t.hub.audit.flush();
      const { rows } = await t.hub.db.query<{ outcome: string; n: number }>(
        `select event->>'outcome' as outcome, count(*)::int as n from audit_event
          where event->'subtype'->0->>'code' = 'operation' group by 1 order by 1`,
      );
      // successes: one in the first test, four in the second; failures: its 404 and 400, and these three
      assert.deepEqual(rows, [{ outcome: '0', n: 5 }, { outcome: '4', n: 5 }]);
    });
  });
}
