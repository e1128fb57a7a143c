import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';

for (const backend of testDatabases()) {
describe(`console sign-in on ${backend.kind}`, () => {
  let demo: TestHub;
  let plain: TestHub;
  before(async () => {
    demo = await openTestHub(await backend.open(), { demoUsers: true });
    plain = await openTestHub(await backend.open());
  });
  after(async () => {
    await demo.close();
    await plain.close();
  });

  const login = (t: TestHub, username: string, password: string) => t.app.fastify.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });

  test('a demo user signs in with the password demo and gets a token the API takes', async () => {
    const users = (await demo.app.fastify.inject({ url: '/auth/demo-users' })).json().users;
    assert.deepEqual(users.map((u: { role: string }) => u.role), ['care-manager', 'service-agent', 'admin', 'auditor']);
    const res = await login(demo, 'care.manager', 'demo');
    assert.equal(res.statusCode, 200, res.body);
    const { token, role } = res.json();
    assert.equal(role, 'care-manager');
    const patients = await demo.app.fastify.inject({ url: '/fhir/R4/Patient?_count=1', headers: { authorization: `Bearer ${token}` } });
    assert.equal(patients.statusCode, 200);
  });

  test('/auth/me names the pages a role may open, as the policy decides', async () => {
    const me = async (username: string) => {
      const { token } = (await login(demo, username, 'demo')).json();
      return (await demo.app.fastify.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).json();
    };
    const agent = await me('service.agent');
    assert.deepEqual(agent.pages, ['search', 'person', 'identity-review']);
    assert.deepEqual(agent.permissions.Observation, []);
    assert.ok(agent.permissions.Coverage.includes('read'));
    assert.deepEqual((await me('care.manager')).pages, ['search', 'person', 'work-queue', 'identity-review']);
    assert.deepEqual((await me('auditor')).pages, ['audit']);
    assert.deepEqual((await me('admin')).pages, ['search', 'person', 'work-queue', 'identity-review', 'interfaces', 'quality', 'audit']);
  });

  test('a wrong password, an unknown user and a malformed body are refused with an OperationOutcome; the refusal is audited', async () => {
    const wrong = await login(demo, 'admin', 'admin');
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().resourceType, 'OperationOutcome');
    assert.equal((await login(demo, 'nobody', 'demo')).statusCode, 401);
    const bad = await demo.app.fastify.inject({ method: 'POST', url: '/auth/login', payload: { user: 'admin' } });
    assert.equal(bad.statusCode, 400);
    const { rows } = await demo.hub.db.query<{ n: number }>(`select count(*)::int as n from audit_event where event->>'outcome' <> '0' and event::text like '%console sign-in refused for admin%'`);
    assert.equal(rows[0]?.n, 1);
  });

  test('a hub without demo users has none to sign in as', async () => {
    assert.equal((await plain.app.fastify.inject({ url: '/auth/demo-users' })).statusCode, 404);
    assert.equal((await login(plain, 'admin', 'demo')).statusCode, 401);
  });
});
}
