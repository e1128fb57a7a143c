import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, CapabilityStatement, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { testDatabases } from '../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../test-support/test-hub.ts';
import type { Role } from '../trust/access-context.ts';

const fhirJson = { 'content-type': 'application/fhir+json' };

function outcomeOf(body: string): OperationOutcome {
  const outcome = JSON.parse(body) as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome');
  return outcome;
}

for (const backend of testDatabases()) {
  describe(`HTTP API on ${backend.kind}`, () => {
    let t: TestHub;
    const tokens = {} as Record<Role, string>;
    before(async () => {
      t = await openTestHub(await backend.open());
      for (const role of ['admin', 'care-manager', 'service-agent', 'auditor', 'system'] as const) tokens[role] = await t.token(role);
    });
    after(() => t.close());

    function request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, role?: Role | string, body?: unknown, headers: Record<string, string> = {}) {
      const token = role ? (tokens[role as Role] ?? role) : undefined;
      return t.app.fastify.inject({
        method,
        url: `/fhir/R4${url}`,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? fhirJson : {}), ...headers },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    }

    test('metadata answers without a token and lists what is served', async () => {
      const res = await request('GET', '/metadata');
      assert.equal(res.statusCode, 200);
      const cs = res.json() as CapabilityStatement;
      assert.equal(cs.fhirVersion, '4.0.1');
      const patient = cs.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
      assert.deepEqual(patient?.interaction?.map((i) => i.code), ['create', 'read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'search-type']);
      assert.ok(patient?.searchParam?.some((p) => p.name === 'birthdate' && p.type === 'date'));
      assert.deepEqual(cs.rest?.[0]?.interaction?.map((i) => i.code), ['transaction', 'batch', 'history-system']);
    });

    test('no token, a malformed header or a bad token: 401 OperationOutcome, and the failure is audited', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer nope' }]) {
        const res = await t.app.fastify.inject({ method: 'GET', url: '/fhir/R4/Patient/x', headers });
        assert.equal(res.statusCode, 401);
        assert.equal(outcomeOf(res.body).issue[0]?.code, 'login');
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
      await t.hub.audit.flush();
      const { rows } = await t.hub.db.query<{ n: number }>(
        `select count(*)::int as n from audit_event where event->'subtype'->0->>'code' = '110122' and event->>'outcome' = '4'`,
      );
      assert.ok(rows[0]!.n >= 3);
    });

    test('create, read, update with If-Match, vread, history and delete over HTTP', async () => {
      const created = await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient', name: [{ family: 'Nguyen' }] });
      assert.equal(created.statusCode, 201);
      const patient = created.json() as Patient;
      assert.equal(created.headers.etag, 'W/"1"');
      assert.match(String(created.headers.location), new RegExp(`/fhir/R4/Patient/${patient.id}/_history/1$`));

      const read = await request('GET', `/Patient/${patient.id}`, 'care-manager');
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json(), patient);
      assert.ok(read.headers['last-modified']);

      const updated = await request('PUT', `/Patient/${patient.id}`, 'care-manager', { ...patient, gender: 'female' }, { 'if-match': 'W/"1"' });
      assert.equal(updated.statusCode, 200);
      assert.equal(updated.headers.etag, 'W/"2"');
      const stale = await request('PUT', `/Patient/${patient.id}`, 'care-manager', { ...patient, gender: 'male' }, { 'if-match': 'W/"1"' });
      assert.equal(stale.statusCode, 412);
      assert.equal(outcomeOf(stale.body).issue[0]?.code, 'conflict');

      assert.equal((await request('GET', `/Patient/${patient.id}/_history/1`, 'care-manager')).json<Patient>().gender, undefined);
      const history = (await request('GET', `/Patient/${patient.id}/_history`, 'care-manager')).json<Bundle>();
      assert.equal(history.type, 'history');
      assert.deepEqual(history.entry?.map((e) => e.response?.etag), ['W/"2"', 'W/"1"']);

      assert.equal((await request('DELETE', `/Patient/${patient.id}`, 'admin')).statusCode, 204);
      const gone = await request('GET', `/Patient/${patient.id}`, 'care-manager');
      assert.equal(gone.statusCode, 410);
      assert.equal(outcomeOf(gone.body).issue[0]?.code, 'deleted');
    });

    test('conditional create, update and delete over HTTP', async () => {
      const mrn = `mrn-${Math.random().toString(36).slice(2)}`;
      const criteria = `identifier=urn:test:mrn|${mrn}`;
      const body = { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }] };
      const first = await request('POST', '/Patient', 'care-manager', body, { 'if-none-exist': criteria });
      const again = await request('POST', '/Patient', 'care-manager', body, { 'if-none-exist': criteria });
      assert.deepEqual([first.statusCode, again.statusCode], [201, 200]);
      const id = first.json<Patient>().id;
      assert.equal(again.json<Patient>().id, id);

      const updated = await request('PUT', `/Patient?${criteria}`, 'care-manager', { ...body, gender: 'female' });
      assert.equal(updated.statusCode, 200);
      assert.deepEqual([updated.json<Patient>().id, updated.json<Patient>().meta?.versionId], [id, '2']);
      const createdByPut = await request('PUT', `/Patient?identifier=urn:test:mrn|${mrn}-new`, 'care-manager', { resourceType: 'Patient' });
      assert.equal(createdByPut.statusCode, 201);

      const unknownParam = await request('POST', '/Patient', 'care-manager', body, { 'if-none-exist': 'shoe-size=9' });
      assert.equal(unknownParam.statusCode, 400);
      assert.equal(outcomeOf(unknownParam.body).issue[0]?.expression?.[0], 'shoe-size');
      assert.equal((await request('PUT', '/Patient', 'care-manager', body)).statusCode, 400);

      await request('POST', '/Patient', 'care-manager', body); // a second match
      const ambiguous = await request('DELETE', `/Patient?${criteria}`, 'admin');
      assert.equal(ambiguous.statusCode, 412);
      assert.equal(outcomeOf(ambiguous.body).issue[0]?.code, 'multiple-matches');
      assert.equal((await request('DELETE', `/Patient?${criteria}&gender=female`, 'admin')).statusCode, 204);
      assert.equal((await request('GET', `/Patient/${id}`, 'care-manager')).statusCode, 410);
    });

    test('type and system history page newest first, stable while new versions arrive', async () => {
      const since = new Date().toISOString();
      const ids: string[] = [];
      for (const family of ['H1', 'H2', 'H3']) {
        ids.push((await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient', name: [{ family }] })).json<Patient>().id!);
      }
      await request('POST', '/Observation', 'care-manager', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
      const seen: string[] = [];
      let url: string | undefined = `/Patient/_history?_since=${encodeURIComponent(since)}&_count=2`;
      while (url) {
        const page: Bundle = (await request('GET', url, 'care-manager')).json<Bundle>();
        seen.push(...(page.entry ?? []).map((e) => e.resource!.id!));
        // A version written between pages lands before the position and is not seen twice.
        if (seen.length === 2) await request('PUT', `/Patient/${ids[0]}`, 'care-manager', { resourceType: 'Patient', id: ids[0], gender: 'other' });
        const next: string | undefined = page.link?.find((l) => l.relation === 'next')?.url;
        url = next ? next.slice(next.indexOf('/fhir/R4') + '/fhir/R4'.length) : undefined;
      }
      assert.deepEqual(seen, [...ids].reverse());

      const system = (await request('GET', `/_history?_since=${encodeURIComponent(since)}`, 'care-manager')).json<Bundle>();
      assert.ok(system.entry?.some((e) => e.resource?.resourceType === 'Observation'));
      const agentView = (await request('GET', `/_history?_since=${encodeURIComponent(since)}`, 'service-agent')).json<Bundle>();
      assert.ok(agentView.entry?.length);
      assert.ok(agentView.entry?.every((e) => e.resource?.resourceType !== 'Observation'));
      assert.equal((await request('GET', '/Observation/_history', 'service-agent')).statusCode, 403);
      assert.equal((await request('GET', '/_history', 'auditor')).statusCode, 403);
      assert.equal((await request('GET', '/Patient/_history?_page=garbage', 'care-manager')).statusCode, 400);
    });

    test('JSON Patch updates the current version; a stale If-Match or a patch of the id is refused', async () => {
      const created = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient', name: [{ family: 'Patch' }] })).json<Patient>();
      const patch = (ops: unknown, headers: Record<string, string> = {}) =>
        t.app.fastify.inject({
          method: 'PATCH',
          url: `/fhir/R4/Patient/${created.id}`,
          headers: { authorization: `Bearer ${tokens['care-manager']}`, 'content-type': 'application/json-patch+json', ...headers },
          payload: JSON.stringify(ops),
        });
      const ok = await patch([{ op: 'add', path: '/gender', value: 'female' }, { op: 'replace', path: '/name/0/family', value: 'Patched' }], { 'if-match': 'W/"1"' });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual([ok.json<Patient>().gender, ok.json<Patient>().name?.[0]?.family, ok.headers.etag], ['female', 'Patched', 'W/"2"']);
      assert.equal((await patch([{ op: 'remove', path: '/gender' }], { 'if-match': 'W/"1"' })).statusCode, 412);
      assert.equal((await patch([{ op: 'replace', path: '/id', value: 'other' }])).statusCode, 422);
      assert.equal((await patch([{ op: 'test', path: '/gender', value: 'male' }])).statusCode, 422);
      const invalid = await patch([{ op: 'add', path: '/birthDate', value: 'not a date' }]);
      assert.equal(invalid.statusCode, 400);
      assert.deepEqual(outcomeOf(invalid.body).issue[0]?.expression, ['Patient.birthDate']);
    });

    test('content negotiation, Prefer: return=, and conditional reads', async () => {
      const xml = await t.app.fastify.inject({ method: 'GET', url: '/fhir/R4/Patient/x', headers: { authorization: `Bearer ${tokens.admin}`, accept: 'application/fhir+xml' } });
      assert.equal(xml.statusCode, 406);
      assert.equal(outcomeOf(xml.body).issue[0]?.code, 'not-supported');
      assert.equal((await request('GET', '/metadata?_format=xml')).statusCode, 406);
      assert.equal((await request('GET', '/metadata?_format=json')).statusCode, 200);

      const minimal = await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' }, { prefer: 'return=minimal' });
      assert.equal(minimal.statusCode, 201);
      assert.equal(minimal.body, '');
      assert.ok(minimal.headers.location);
      const outcome = await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' }, { prefer: 'return=OperationOutcome' });
      assert.equal(outcomeOf(outcome.body).issue[0]?.severity, 'information');

      const created = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' })).json<Patient>();
      const sameTag = await request('GET', `/Patient/${created.id}`, 'care-manager', undefined, { 'if-none-match': 'W/"1"' });
      assert.equal(sameTag.statusCode, 304);
      assert.equal((await request('GET', `/Patient/${created.id}`, 'care-manager', undefined, { 'if-none-match': 'W/"7"' })).statusCode, 200);
      const later = new Date(Date.now() + 60_000).toUTCString();
      const earlier = new Date(Date.now() - 3_600_000).toUTCString();
      assert.equal((await request('GET', `/Patient/${created.id}`, 'care-manager', undefined, { 'if-modified-since': later })).statusCode, 304);
      assert.equal((await request('GET', `/Patient/${created.id}`, 'care-manager', undefined, { 'if-modified-since': earlier })).statusCode, 200);
    });

    test('Patient $everything: the compartment, filtered by _type, paged, and cut to what the role may see', async () => {
      const patient = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' })).json<Patient>();
      const other = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' })).json<Patient>();
      const subject = (p: Patient) => ({ subject: { reference: `Patient/${p.id}` } });
      await request('POST', '/Observation', 'care-manager', { resourceType: 'Observation', status: 'final', code: { text: 'a' }, ...subject(patient) });
      await request('POST', '/Observation', 'care-manager', { resourceType: 'Observation', status: 'final', code: { text: 'b' }, ...subject(patient) });
      await request('POST', '/Condition', 'care-manager', { resourceType: 'Condition', ...subject(patient) });
      await request('POST', '/Observation', 'care-manager', { resourceType: 'Observation', status: 'final', code: { text: 'c' }, ...subject(other) });

      const all = (await request('GET', `/Patient/${patient.id}/$everything`, 'care-manager')).json<Bundle>();
      assert.deepEqual(all.entry?.map((e) => e.resource?.resourceType).sort(), ['Condition', 'Observation', 'Observation', 'Patient']);
      const observations = (await request('GET', `/Patient/${patient.id}/$everything?_type=Observation`, 'care-manager')).json<Bundle>();
      assert.equal(observations.entry?.length, 2);

      const seen: string[] = [];
      let url: string | undefined = `/Patient/${patient.id}/$everything?_count=1`;
      while (url) {
        const page: Bundle = (await request('GET', url, 'care-manager')).json<Bundle>();
        seen.push(...(page.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
        const next: string | undefined = page.link?.find((l) => l.relation === 'next')?.url;
        url = next ? next.slice(next.indexOf('/fhir/R4') + '/fhir/R4'.length) : undefined;
      }
      assert.equal(seen.length, 4);
      assert.equal(new Set(seen).size, 4);

      const agent = (await request('GET', `/Patient/${patient.id}/$everything`, 'service-agent')).json<Bundle>();
      assert.deepEqual(agent.entry?.map((e) => e.resource?.resourceType), ['Patient']);
      const memberToken = await t.token('member', { personId: patient.id! });
      assert.equal((await request('GET', `/Patient/${patient.id}/$everything`, memberToken)).json<Bundle>().entry?.length, 4);
      assert.equal((await request('GET', `/Patient/${other.id}/$everything`, memberToken)).statusCode, 403);
      assert.equal((await request('GET', `/Patient/${patient.id}/$everything?_type=Spaceship`, 'care-manager')).statusCode, 400);
    });

    test('$validate reports the issues of a resource without storing it', async () => {
      const bad = await request('POST', '/Patient/$validate', 'care-manager', { resourceType: 'Patient', birthDate: 'nope' });
      assert.equal(bad.statusCode, 200);
      assert.deepEqual(outcomeOf(bad.body).issue.map((i) => [i.severity, i.expression?.[0]]), [['error', 'Patient.birthDate']]);
      const wrapped = await request('POST', '/Patient/$validate', 'care-manager', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient' } }] });
      assert.equal(outcomeOf(wrapped.body).issue[0]?.severity, 'information');
      assert.equal((await request('POST', '/Patient/$validate', undefined, { resourceType: 'Patient' })).statusCode, 401);
    });

    test('bad input answers with an OperationOutcome naming what is wrong', async () => {
      const invalid = await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient', birthDate: 'yesterday' });
      assert.equal(invalid.statusCode, 400);
      assert.deepEqual(outcomeOf(invalid.body).issue[0]?.expression, ['Patient.birthDate']);

      const nul = await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient', name: [{ family: 'a\u0000b' }] });
      assert.equal(nul.statusCode, 400);
      assert.equal((await request('GET', '/Patient?name=%00', 'care-manager')).statusCode, 400);

      const wrongType = await request('POST', '/Patient', 'care-manager', { resourceType: 'Observation' });
      assert.equal(wrongType.statusCode, 400);

      const malformed = await t.app.fastify.inject({
        method: 'POST',
        url: '/fhir/R4/Patient',
        headers: { ...fhirJson, authorization: `Bearer ${tokens['care-manager']}` },
        payload: '{"resourceType": "Patient",',
      });
      assert.equal(malformed.statusCode, 400);
      outcomeOf(malformed.body);

      const idMismatch = await request('PUT', '/Patient/abc', 'care-manager', { resourceType: 'Patient', id: 'xyz' });
      assert.equal(idMismatch.statusCode, 400);

      const unknownType = await request('GET', '/Spaceship/1', 'care-manager');
      assert.equal(unknownType.statusCode, 404);

      const noRoute = await t.app.fastify.inject({ method: 'GET', url: '/nowhere' });
      assert.equal(noRoute.statusCode, 404);
      outcomeOf(noRoute.body);
    });

    test('the policy is enforced at the API: a service agent cannot see clinical data', async () => {
      const patient = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' })).json<Patient>();
      const obs = await request('POST', '/Observation', 'care-manager', {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] },
        subject: { reference: `Patient/${patient.id}` },
      });
      assert.equal(obs.statusCode, 201);
      const obsId = obs.json<{ id: string }>().id;
      assert.equal((await request('GET', `/Patient/${patient.id}`, 'service-agent')).statusCode, 200);
      const refused = await request('GET', `/Observation/${obsId}`, 'service-agent');
      assert.equal(refused.statusCode, 403);
      assert.equal(outcomeOf(refused.body).issue[0]?.code, 'forbidden');
      assert.equal((await request('POST', '/Observation', 'service-agent', { resourceType: 'Observation' })).statusCode, 403);
      assert.equal((await request('DELETE', `/Patient/${patient.id}`, 'care-manager')).statusCode, 403);
      assert.equal((await request('GET', `/Patient/${patient.id}`, 'auditor')).statusCode, 403);
    });

    test('a member reads their own record and nobody else’s', async () => {
      const mine = (await request('POST', '/Patient', 'system', { resourceType: 'Patient' })).json<Patient>();
      const theirs = (await request('POST', '/Patient', 'system', { resourceType: 'Patient' })).json<Patient>();
      const memberToken = await t.token('member', { personId: mine.id! });
      assert.equal((await request('GET', `/Patient/${mine.id}`, memberToken)).statusCode, 200);
      assert.equal((await request('GET', `/Patient/${theirs.id}`, memberToken)).statusCode, 403);
      assert.equal((await request('PUT', `/Patient/${mine.id}`, memberToken, { ...mine, gender: 'male' })).statusCode, 403);
    });

    test('auditors read the audit trail; others may not', async () => {
      const res = await request('GET', '/AuditEvent?_count=5', 'auditor');
      assert.equal(res.statusCode, 200);
      const bundle = res.json<Bundle>();
      assert.equal(bundle.entry?.length, 5);
      assert.equal(bundle.entry?.[0]?.resource?.resourceType, 'AuditEvent');
      const one = await request('GET', `/AuditEvent/${bundle.entry![0]!.resource!.id}`, 'auditor');
      assert.equal(one.statusCode, 200);
      assert.equal((await request('GET', '/AuditEvent', 'care-manager')).statusCode, 403);
      assert.equal((await request('POST', '/AuditEvent', 'admin', { resourceType: 'AuditEvent' })).statusCode, 403);

      const verify = await t.app.fastify.inject({ method: 'GET', url: '/admin/audit/verify', headers: { authorization: `Bearer ${tokens.auditor}` } });
      assert.equal(verify.statusCode, 200);
      assert.equal(verify.json<{ ok: boolean }>().ok, true);
      const refusedVerify = await t.app.fastify.inject({ method: 'GET', url: '/admin/audit/verify', headers: { authorization: `Bearer ${tokens['care-manager']}` } });
      assert.equal(refusedVerify.statusCode, 403);
    });

    test('every read and write leaves an audit entry naming who, what and the outcome', async () => {
      const created = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' })).json<Patient>();
      await request('GET', `/Patient/${created.id}`, 'care-manager');
      await request('GET', `/Patient/${created.id}`, 'auditor');
      await t.hub.audit.flush();
      const { rows } = await t.hub.db.query<{ action: string; who: string; outcome: string }>(
        `select event->>'action' as action, event->'agent'->0->'who'->'identifier'->>'value' as who, event->>'outcome' as outcome
           from audit_event where event->'entity'->0->'what'->>'reference' like $1 order by seq`,
        [`Patient/${created.id}%`],
      );
      assert.deepEqual(rows, [
        { action: 'C', who: 'care-manager-tester', outcome: '0' },
        { action: 'R', who: 'care-manager-tester', outcome: '0' },
        { action: 'R', who: 'auditor-tester', outcome: '4' },
      ]);
    });

    test('a read answers only once its audit entry is committed and chained (no flush needed)', async () => {
      const created = (await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' })).json<Patient>();
      // Concurrent reads share grouped commits (asynchronous on PostgreSQL, docs/architecture.md).
      const answers = await Promise.all(Array.from({ length: 16 }, () => request('GET', `/Patient/${created.id}`, 'care-manager')));
      assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([200]));
      const { rows } = await t.hub.db.query<{ n: number }>(
        `select count(*)::int as n from audit_event where event->>'action' = 'R' and event->'entity'->0->'what'->>'reference' = $1`,
        [`Patient/${created.id}/_history/1`],
      );
      assert.equal(rows[0]!.n, 16);
      const verify = await t.app.fastify.inject({ method: 'GET', url: '/admin/audit/verify', headers: { authorization: `Bearer ${tokens.auditor}` } });
      assert.equal(verify.json<{ ok: boolean }>().ok, true);
    });

    test("a token's first use is audited as a login, once", async () => {
      const token = await t.token('care-manager', { subject: 'login-tester' });
      for (let i = 0; i < 3; i++) {
        await t.app.fastify.inject({ method: 'GET', url: '/fhir/R4/Patient/none', headers: { authorization: `Bearer ${token}` } });
      }
      await t.app.fastify.inject({ method: 'GET', url: '/admin/audit/verify', headers: { authorization: `Bearer ${token}` } });
      await t.hub.audit.flush();
      const { rows } = await t.hub.db.query<{ n: number }>(
        `select count(*)::int as n from audit_event
          where event->'subtype'->0->>'code' = '110122' and event->>'outcome' = '0'
            and event->'agent'->0->'who'->'identifier'->>'value' = 'login-tester'`,
      );
      assert.equal(rows[0]!.n, 1);
    });

    test('health, readiness and metrics', async () => {
      assert.equal((await t.app.fastify.inject('/healthz')).statusCode, 200);
      const ready = await t.app.fastify.inject('/readyz');
      assert.deepEqual(ready.json(), { status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
      t.hub.dispatcher.subscribe({ name: 'metrics-probe', handle: async () => undefined });
      await t.hub.dispatcher.drain();
      await request('POST', '/Patient', 'care-manager', { resourceType: 'Patient' });
      const metrics = await t.app.fastify.inject('/metrics');
      assert.match(metrics.body, /longitude_outbox_pending_events\{consumer="metrics-probe"\} 1/);
      assert.match(metrics.body, /longitude_outbox_lag_seconds\{consumer="metrics-probe"\}/);
      assert.match(metrics.body, /longitude_http_requests_total\{method="GET",route="\/fhir\/R4\/:type\/:id",status="200"\}/);
      assert.match(metrics.body, /longitude_http_request_duration_seconds_bucket/);
      assert.match(metrics.body, new RegExp(`longitude_db_pool_connections\\{state="total",backend="${backend.kind}"\\}`));
    });

    test('readiness turns 503 when shutdown begins', async () => {
      t.app.beginShutdown();
      const res = await t.app.fastify.inject('/readyz');
      assert.equal(res.statusCode, 503);
    });
  });
}
