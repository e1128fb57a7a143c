/**
 * Signals on a real hub: computed from the stored record, stored as DetectedIssue through the
 * store (searchable over FHIR), idempotent, auto-resolved, and recomputed from the outbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DetectedIssue, Observation, Patient, Provenance } from '@medplum/fhirtypes';
import { expectCodedError } from '../../test-support/coded-error.ts';
import { systemContext } from '../../trust/access-context.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { fromDetectedIssue } from './detected-issue.ts';
import { attachIncrementalSignals, type IncrementalSignals } from './incremental-signals.ts';
import { SignalRunner } from './signal-runner.ts';

const ctx = systemContext('test:signals');
const asOf = new Date('2026-06-30T12:00:00Z');

function hba1c(patientId: string, day: string, channel: string): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    meta: { source: `urn:longitude:channel/${channel}#${day}` },
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }], text: 'HbA1c' },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: `${day}T09:00:00Z`,
    valueQuantity: { value: 7.2, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
  };
}

for (const backend of testDatabases()) {
  describe(`signals on ${backend.kind}`, () => {
    let t: TestHub;
    let runner: SignalRunner;
    let incremental: IncrementalSignals;
    before(async () => {
      t = await openTestHub(await backend.open());
      runner = new SignalRunner({ ...t.hub, services: {} });
      incremental = attachIncrementalSignals(t.hub, {});
    });
    after(() => t.close());

    const signalsOf = async (patientId: string) =>
      (await runner.storedSignals(ctx, { id: patientId, patientIds: [patientId] }, ['duplicate-test'])).map(fromDetectedIssue);

    test('a run raises a duplicate test once, with each source (Provenance first), searchable over FHIR', async () => {
      const patient = (await t.hub.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family: 'Runner' }] })).resource;
      const first = (await t.hub.store.create(ctx, hba1c(patient.id!, '2026-03-01', 'lab'))).resource;
      await t.hub.store.create(ctx, hba1c(patient.id!, '2026-04-11', 'ehr'));
      await t.hub.store.create<Provenance>(ctx, {
        resourceType: 'Provenance',
        target: [{ reference: `Observation/${first.id}` }],
        recorded: '2026-03-01T10:00:00Z',
        agent: [{ who: { identifier: { system: 'urn:longitude:source-system', value: 'quest-lab' } } }],
      });
      const person = { id: patient.id!, patientIds: [patient.id!] };
      const run = await runner.runPerson(ctx, person, { kinds: ['duplicate-test'], asOf });
      assert.deepEqual(run.tally.get('duplicate-test'), { raised: 1, stillOpen: 0, resolved: 0 });
      const [signal] = await signalsOf(patient.id!);
      assert.deepEqual(signal!.evidence.map((e) => e.sourceSystem), ['quest-lab', 'ehr']);

      const again = await runner.runPerson(ctx, person, { kinds: ['duplicate-test'], asOf });
      assert.deepEqual(again.tally.get('duplicate-test'), { raised: 0, stillOpen: 1, resolved: 0 });
      const history = await t.hub.store.history(ctx, 'DetectedIssue', signal!.id);
      assert.equal(history.length, 1, 'the same finding is not written again');

      const search = await t.app.fastify.inject({
        method: 'GET',
        url: `/fhir/R4/DetectedIssue?identifier=${encodeURIComponent(`urn:longitude:signal|${signal!.findingKey}`)}&_tag=urn:longitude:signal-status|open`,
        headers: { authorization: `Bearer ${await t.token('care-manager')}` },
      });
      assert.equal(search.statusCode, 200);
      assert.deepEqual(search.json().entry.map((e: { resource: DetectedIssue }) => e.resource.id), [signal!.id]);
    });

    test('a page of persons at once stores what one by one stores', async () => {
      const persons = [];
      for (const name of ['PageA', 'PageB']) {
        const patient = (await t.hub.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family: name }] })).resource;
        await t.hub.store.create(ctx, hba1c(patient.id!, '2026-03-01', 'lab'));
        if (name === 'PageA') await t.hub.store.create(ctx, hba1c(patient.id!, '2026-04-11', 'ehr'));
        persons.push({ id: patient.id!, patientIds: [patient.id!] });
      }
      const runs = await runner.runPersons(ctx, persons, { kinds: ['duplicate-test'], asOf });
      assert.deepEqual(runs.map((r) => r.tally.get('duplicate-test')), [{ raised: 1, stillOpen: 0, resolved: 0 }, { raised: 0, stillOpen: 0, resolved: 0 }]);
      const [raised] = await signalsOf(persons[0]!.id);
      assert.deepEqual(raised!.evidence.map((e) => e.sourceSystem), ['lab', 'ehr']);
      assert.deepEqual(await signalsOf(persons[1]!.id), []);
      // One by one afterwards finds the page's signal stored and writes nothing new.
      const again = await runner.runPerson(ctx, persons[0]!, { kinds: ['duplicate-test'], asOf });
      assert.deepEqual(again.tally.get('duplicate-test'), { raised: 0, stillOpen: 1, resolved: 0 });
      assert.equal((await t.hub.store.history(ctx, 'DetectedIssue', raised!.id)).length, 1);
      await expectCodedError(runner.runPersons(ctx, [{ id: 'nobody', patientIds: ['nobody'] }], { asOf }), 'LNG_NOT_FOUND');
    });

    test('incremental: a new result recomputes the person from the outbox; removing it resolves the signal itself', async () => {
      const patient = (await t.hub.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family: 'Outbox' }] })).resource;
      const recent = new Date();
      const day = (ago: number) => new Date(recent.getTime() - ago * 86_400_000).toISOString().slice(0, 10);
      await t.hub.store.create(ctx, hba1c(patient.id!, day(40), 'lab'));
      await incremental.drain();
      assert.deepEqual(await signalsOf(patient.id!), []);
      const repeat = (await t.hub.store.create(ctx, hba1c(patient.id!, day(5), 'ehr'))).resource;
      await incremental.drain();
      const [raised] = await signalsOf(patient.id!);
      assert.equal(raised?.lifecycle.status, 'open');
      const { rows } = await t.hub.db.query<{ n: number }>('select count(*)::int as n from signal_pending_person');
      assert.equal(Number(rows[0]!.n), 0, 'writing the signal did not mark the person again');
      await t.hub.store.delete(ctx, 'Observation', repeat.id!);
      await incremental.drain();
      const [resolved] = await signalsOf(patient.id!);
      assert.deepEqual([resolved?.lifecycle.status, resolved?.lifecycle.automatic], ['resolved', true]);
    });
  });
}
