import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Observation, Patient } from '@medplum/fhirtypes';
import type { LongitudeError } from '../platform/errors.ts';
import { expectCodedError } from '../test-support/coded-error.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { wireRecordParts, type RecordParts } from '../test-support/hub-parts.ts';
import { createAccessContext, type AccessContext } from '../trust/access-context.ts';

const careManager = createAccessContext({ actor: { type: 'user', id: 'cm-1' }, role: 'care-manager' });
const admin = createAccessContext({ actor: { type: 'user', id: 'admin-1' }, role: 'admin' });

function patient(family = 'Rivera'): Patient {
  return { resourceType: 'Patient', name: [{ family, given: ['Ana'] }], birthDate: '1970-03-02', gender: 'female' };
}

for (const backend of testDatabases()) {
  describe(`resource store on ${backend.kind}`, () => {
    let parts: RecordParts;
    before(async () => {
      parts = wireRecordParts(await backend.open());
    });
    after(() => parts.close());

    test('create sets id, versionId and lastUpdated; read returns what was stored', async () => {
      const { resource, created } = await parts.store.create(careManager, patient());
      assert.equal(created, true);
      assert.match(resource.id!, /^[0-9a-f-]{36}$/);
      assert.equal(resource.meta?.versionId, '1');
      assert.ok(Date.parse(resource.meta!.lastUpdated!) <= Date.now());
      const read = await parts.store.read<Patient>(careManager, 'Patient', resource.id!);
      assert.deepEqual(read, resource);
    });

    test('update makes a new version; vread returns each; history lists newest first', async () => {
      const { resource: v1 } = await parts.store.create(careManager, patient('Lopez'));
      const { resource: v2 } = await parts.store.update(careManager, { ...v1, birthDate: '1970-02-03' });
      assert.equal(v2.meta?.versionId, '2');
      assert.equal((await parts.store.vread<Patient>(careManager, 'Patient', v1.id!, '1')).birthDate, '1970-03-02');
      assert.equal((await parts.store.vread<Patient>(careManager, 'Patient', v1.id!, '2')).birthDate, '1970-02-03');
      const history = await parts.store.history(careManager, 'Patient', v1.id!);
      assert.deepEqual(
        history.map((h) => h.versionId),
        ['2', '1'],
      );
    });

    test('an update with no change writes no new version', async () => {
      const { resource } = await parts.store.create(careManager, patient());
      const again = await parts.store.update(careManager, resource);
      assert.equal(again.changed, false);
      assert.equal(again.resource.meta?.versionId, '1');
    });

    test('update of an unknown id creates it (update-as-create)', async () => {
      const { resource, created } = await parts.store.update(careManager, { ...patient(), id: 'client-chosen-1' });
      assert.equal(created, true);
      assert.equal(resource.id, 'client-chosen-1');
      assert.equal(resource.meta?.versionId, '1');
    });

    test('If-Match with a stale version is refused and changes nothing', async () => {
      const { resource } = await parts.store.create(careManager, patient());
      await parts.store.update(careManager, { ...resource, gender: 'other' }, { ifMatch: '1' });
      await expectCodedError(parts.store.update(careManager, { ...resource, gender: 'male' }, { ifMatch: '1' }), 'LNG_VERSION_CONFLICT');
      const current = await parts.store.read<Patient>(careManager, 'Patient', resource.id!);
      assert.equal(current.gender, 'other');
      assert.equal(current.meta?.versionId, '2');
    });

    test('concurrent updates of one resource each get their own version', async () => {
      const { resource } = await parts.store.create(careManager, patient());
      const results = await Promise.all(
        ['1980-01-01', '1981-01-01', '1982-01-01', '1983-01-01'].map((birthDate) =>
          parts.store.update(careManager, { ...resource, birthDate }),
        ),
      );
      const versions = results.map((r) => r.resource.meta?.versionId).sort();
      assert.deepEqual(versions, ['2', '3', '4', '5']);
      const history = await parts.store.history(careManager, 'Patient', resource.id!);
      assert.equal(history.length, 5);
    });

    test('concurrent If-Match updates: exactly one wins, the rest conflict', async () => {
      const { resource } = await parts.store.create(careManager, patient());
      const outcomes = await Promise.allSettled(
        [1, 2, 3].map((n) => parts.store.update(careManager, { ...resource, gender: n === 1 ? 'male' : 'other' }, { ifMatch: '1' })),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      for (const o of outcomes.filter((o) => o.status === 'rejected')) {
        assert.equal(((o as PromiseRejectedResult).reason as LongitudeError).code, 'LNG_VERSION_CONFLICT');
      }
    });

    test('delete leaves a tombstone: read is gone, history and vread keep earlier versions', async () => {
      const { resource } = await parts.store.create(careManager, patient());
      await parts.store.delete(admin, 'Patient', resource.id!);
      await expectCodedError(parts.store.read(careManager, 'Patient', resource.id!), 'LNG_GONE');
      const history = await parts.store.history(careManager, 'Patient', resource.id!);
      assert.deepEqual(
        history.map((h) => [h.versionId, h.deleted]),
        [
          ['2', true],
          ['1', false],
        ],
      );
      assert.equal((await parts.store.vread<Patient>(careManager, 'Patient', resource.id!, '1')).id, resource.id);
      await parts.store.delete(admin, 'Patient', resource.id!); // deleting again changes nothing
      assert.equal((await parts.store.history(careManager, 'Patient', resource.id!)).length, 2);
    });

    test('unknown ids and types are not found', async () => {
      await expectCodedError(parts.store.read(careManager, 'Patient', 'no-such-id'), 'LNG_NOT_FOUND');
      await expectCodedError(parts.store.read(careManager, 'Spaceship', 'x'), 'LNG_NOT_FOUND');
      await expectCodedError(parts.store.vread(careManager, 'Patient', 'no-such-id', '1'), 'LNG_NOT_FOUND');
      await expectCodedError(parts.store.delete(admin, 'Patient', 'no-such-id'), 'LNG_NOT_FOUND');
    });

    test('an invalid resource is refused with an issue that points at the element', async () => {
      const bad = { resourceType: 'Observation', code: { text: 'HbA1c' }, valueQuantity: { value: 'seven' } };
      const err = await expectCodedError(parts.store.create(careManager, bad as unknown as Observation), 'LNG_INVALID_RESOURCE');
      const expressions = err.issues.flatMap((i) => i.expression ?? []);
      assert.ok(expressions.includes('Observation.status'), expressions.join());
      assert.ok(
        expressions.some((e) => e.startsWith('Observation.value')),
        expressions.join(),
      );
    });

    test('the store refuses a call without an access context', async () => {
      await expectCodedError(parts.store.read(undefined as unknown as AccessContext, 'Patient', 'x'), 'LNG_NO_ACCESS_CONTEXT');
      const forged = { actor: { type: 'user', id: 'x' }, role: 'admin', purposeOfUse: 'TREAT' } as AccessContext;
      await expectCodedError(parts.store.create(forged, patient()), 'LNG_NO_ACCESS_CONTEXT');
    });

    test('each write commits with its outbox event and audit entry', async () => {
      const { resource } = await parts.store.create(careManager, patient());
      const { rows: events } = await parts.db.query<{ topic: string; version_id: number }>(
        'select topic, version_id from outbox_event where resource_id = $1',
        [resource.id],
      );
      assert.deepEqual(events, [{ topic: 'resource.created', version_id: 1 }]);
      const { rows: audits } = await parts.db.query<{ action: string }>(
        `select event->>'action' as action from audit_event where event->'entity'->0->'what'->>'reference' = $1`,
        [`Patient/${resource.id}/_history/1`],
      );
      assert.deepEqual(audits, [{ action: 'C' }]);
    });

    test('a write that fails leaves neither resource, event nor audit row', async () => {
      const { rows: before } = await parts.db.query<{ n: number }>('select count(*)::int as n from outbox_event');
      await expectCodedError(parts.store.update(careManager, { ...patient(), id: 'x' }, { ifMatch: '3' }), 'LNG_VERSION_CONFLICT');
      const { rows: after } = await parts.db.query<{ n: number }>('select count(*)::int as n from outbox_event');
      assert.equal(after[0]!.n, before[0]!.n);
      await expectCodedError(parts.store.read(careManager, 'Patient', 'x'), 'LNG_NOT_FOUND');
    });

    test('conditional lookups in one unit see its unstored versions, whether looked up ahead or not', async () => {
      const mrn = `urn:mrn|${Math.random().toString(36).slice(2)}`;
      const withMrn = (family: string): Patient => ({ ...patient(family), identifier: [{ system: 'urn:mrn', value: mrn.split('|')[1] }] });
      const stored = (await parts.store.create(admin, withMrn('Stored'))).resource;
      const ids = await parts.store.transaction(admin, async (unit) => {
        await unit.prefetchMatches([{ resourceType: 'Patient', criteria: `identifier=${mrn}` }]);
        const ahead = await unit.match('Patient', `identifier=${mrn}`);
        // Changed in this unit, not yet stored: the lookup answers from the new version.
        await unit.update({ ...stored, identifier: [{ system: 'urn:mrn', value: 'moved' }] });
        const afterMove = await unit.match('Patient', `identifier=${mrn}`);
        const created = (await unit.create(withMrn('New'))).resource;
        const afterCreate = await unit.match('Patient', `identifier=${mrn}`);
        return { ahead, afterMove, afterCreate, created: created.id };
      });
      assert.deepEqual(ids.ahead, [stored.id]);
      assert.deepEqual(ids.afterMove, []);
      assert.deepEqual(ids.afterCreate, [ids.created]);
    });

    test('a mark undoes, in memory, what a unit wrote after it', async () => {
      const kept = await parts.store.transaction(admin, async (unit) => {
        const first = (await unit.create(patient('Kept'))).resource;
        const mark = unit.mark();
        await unit.create(patient('Undone'));
        assert.equal(unit.rollbackToMark(mark), true);
        return first;
      });
      const { rows } = await parts.db.query<{ n: number }>(`select count(*)::int as n from resource where resource_type = 'Patient' and content->'name'->0->>'family' = 'Undone'`);
      assert.equal(rows[0]!.n, 0);
      assert.equal((await parts.store.read<Patient>(admin, 'Patient', kept.id!)).name?.[0]?.family, 'Kept');
    });
  });
}
