import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { readEventsAfter } from '../platform/outbox/events.ts';
import { wireRecordParts, type RecordParts } from '../test-support/hub-parts.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { createAccessContext, systemContext } from '../trust/access-context.ts';
import { GOLDEN_TAG } from './from-fhir-patient.ts';
import { PERSON_CHANGED_TOPIC } from './golden-record.ts';
import { attachIdentity, type IdentityWorker } from './identity-consumer.ts';
import { fixturePatients, fixturePeople, possibleMatchRecord } from './identity-fixtures.ts';
import { IdentityService } from './identity-service.ts';
import * as sql from './person-store.ts';

const system = systemContext('cli:identity');
const reviewer = createAccessContext({ actor: { type: 'user', id: 'rita.reviewer' }, role: 'admin' });
const member = createAccessContext({ actor: { type: 'user', id: 'm1' }, role: 'member', personId: 'clinic-p0' });
const PEOPLE = 20;
const [p0] = fixturePeople(1);
const labRecord = possibleMatchRecord();

for (const backend of testDatabases()) {
  describe(`identity service on ${backend.kind}`, () => {
    let parts: RecordParts;
    let identity: IdentityService;
    let online: { worker: IdentityWorker; drain(): Promise<void> };
    const personOf = async (ref: string) => (await sql.linkOfRecord(parts.db, ref))?.personId;
    const golden = (id: string) => parts.store.read<Patient>(system, 'Patient', id);

    before(async () => {
      parts = wireRecordParts(await backend.open());
      await parts.searchParameters.load();
      online = attachIdentity(parts);
      identity = new IdentityService(parts);
      await parts.store.transaction(system, async (tx) => {
        for (const p of [...fixturePatients(PEOPLE), labRecord]) await tx.update(p);
      });
    });
    after(() => parts.close());

    test('relink --all: one person per real person, links with reasons, golden records, a review item', async () => {
      const summary = await identity.relinkAll(system);
      assert.equal(summary.sourceRecords, PEOPLE * 3 + 1);
      assert.equal(summary.persons, PEOPLE + 1);
      assert.equal(summary.personsCreated, PEOPLE + 1);
      const person = await personOf('Patient/clinic-p0');
      assert.ok(person);
      assert.equal(await personOf('Patient/payer-p0'), person);
      assert.equal(await personOf('Patient/crm-p0'), person);
      assert.notEqual(await personOf('Patient/clinic-p1'), person);
      const link = await sql.linkOfRecord(parts.db, 'Patient/crm-p0');
      assert.equal(link?.decidedBy, 'auto');
      assert.equal(link?.rule, 'auto-link');
      assert.ok((link?.probability ?? 0) >= 0.95);
      assert.ok(Array.isArray(link?.reasons) && link.reasons.some((r) => 'comparison' in r && r.comparison === 'familyName'));

      const g = await golden(person);
      assert.ok(g.meta?.tag?.some((t) => t.system === GOLDEN_TAG.system && t.code === GOLDEN_TAG.code));
      assert.deepEqual(g.link?.map((l) => [l.type, l.other.reference]), [
        ['seealso', 'Patient/clinic-p0'], ['seealso', 'Patient/crm-p0'], ['seealso', 'Patient/payer-p0'],
      ]);
      assert.equal(g.name?.[0]?.family, p0!.family.toUpperCase(), 'legal name from enrollment');

      const review = await identity.reviewQueue(reviewer);
      assert.equal(review.length >= 1, true);
      assert.ok(review.every((r) => r.item.recordB === 'Patient/lab-x' || r.item.recordA === 'Patient/lab-x'));
      assert.ok(review[0]!.item.weights.some((w) => w.comparison === 'birthDate'));
    });

    test('a second relink keeps every person id and writes nothing new', async () => {
      const before = new Map((await sql.allLinks(parts.db)).map((l) => [l.recordRef, l.personId]));
      const summary = await identity.relinkAll(system);
      assert.equal(summary.personsCreated, 0);
      assert.equal(summary.linksChanged, 0);
      assert.equal(summary.goldenWritten, 0);
      assert.equal(summary.reviewOpened, 0, 'an open pair is not proposed twice');
      const after = new Map((await sql.allLinks(parts.db)).map((l) => [l.recordRef, l.personId]));
      assert.deepEqual(after, before);
    });

    test('a new CRM phone reaches the golden record, and an event says the phone changed', async () => {
      const person = (await personOf('Patient/crm-p1'))!;
      const crm = await parts.store.read<Patient>(system, 'Patient', 'crm-p1');
      // The records stored before: already linked, their golden records current, so nothing changes.
      const settled = (await parts.db.query<{ id: number }>('select coalesce(max(id), 0)::int8 as id from outbox_event')).rows[0]!.id;
      await online.drain();
      assert.equal((await parts.db.query('select 1 from identity_pending_record')).rows.length, 0);
      assert.equal((await readEventsAfter(parts.db, settled, 1000)).filter((e) => e.topic === PERSON_CHANGED_TOPIC).length, 0);
      const position = (await parts.db.query<{ id: number }>('select coalesce(max(id), 0)::int8 as id from outbox_event')).rows[0]!.id;
      await parts.store.update(system, { ...crm, telecom: [{ system: 'phone', value: '(217) 555-8080', use: 'mobile' }, ...(crm.telecom ?? []).filter((t) => t.system === 'email')] });
      await online.drain();
      const g = await golden(person);
      assert.deepEqual(g.telecom?.filter((t) => t.system === 'phone').map((t) => t.value), ['(217) 555-8080']);
      const events = (await readEventsAfter(parts.db, position, 100)).filter((e) => e.topic === PERSON_CHANGED_TOPIC);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.resourceId, person);
      assert.deepEqual(events[0]!.payload['changed'], ['phone']);
      assert.deepEqual((events[0]!.payload['provenance'] as Record<string, { sourceRecord: string }>)['phone']?.sourceRecord, 'Patient/crm-p1');
      const view = await identity.getPerson(reviewer, person);
      assert.deepEqual(view.provenance['phone'], { source: 'crm', rule: 'authority', sourceRecord: 'Patient/crm-p1' });
    });

    test('a new source Patient gets a person and golden record online, and the next relink keeps them', async () => {
      await parts.store.create(system, { resourceType: 'Patient', id: 'ignored', name: [{ family: 'Zwiebelhofer', given: ['Ottilie'] }], birthDate: '1931-02-03', gender: 'female' } as Patient);
      await online.drain();
      const { rows } = await parts.db.query<{ record_ref: string; person_id: string; rule: string }>(
        "select l.record_ref, l.person_id, l.rule from identity_link l where l.record_ref not like 'Patient/clinic-%' and l.record_ref not like 'Patient/payer-%' and l.record_ref not like 'Patient/crm-%' and l.record_ref <> 'Patient/lab-x'",
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.rule, 'auto-single');
      const g = await golden(rows[0]!.person_id);
      assert.equal(g.name?.[0]?.family, 'Zwiebelhofer');
      assert.deepEqual(g.link, [{ other: { reference: rows[0]!.record_ref }, type: 'seealso' }]);
      const summary = await identity.relinkAll(system);
      assert.equal(summary.personsCreated, 0);
      assert.equal(await personOf(rows[0]!.record_ref), rows[0]!.person_id);
    });

    test('review: link puts the record with the person, audited with who and the score', async () => {
      const [first] = await identity.reviewQueue(reviewer);
      // The stray lab record joins p0's person, whichever side of the pair it is on.
      const other = first!.item.recordA === 'Patient/lab-x' ? first!.item.recordB : first!.item.recordA;
      const target = (await personOf(other))!;
      const { personId } = await identity.decideReview(reviewer, first!.item.id, 'link');
      assert.equal(personId, target);
      assert.equal(await personOf('Patient/lab-x'), target);
      assert.equal(await personOf('Patient/payer-p0'), target, 'no record of p0 left its person');
      const link = await sql.linkOfRecord(parts.db, 'Patient/lab-x');
      assert.equal(link?.decidedBy, 'user');
      assert.equal(link?.decidedById, 'rita.reviewer');
      assert.equal((await identity.reviewQueue(reviewer)).length, 0, 'the other pair of the same record is settled');
      await parts.audit.flush();
      const { rows } = await parts.db.query<{ content: { entity?: { what?: { reference?: string } }[]; outcomeDesc?: string; agent?: { who?: { display?: string; identifier?: { value?: string } } }[] } }>(
        "select event as content from audit_event where event::text like '%review-link%' order by seq desc limit 1",
      );
      assert.equal(rows.length, 1);
      assert.match(JSON.stringify(rows[0]!.content), /rita\.reviewer/);
      assert.match(JSON.stringify(rows[0]!.content), /score -?\d/);
      // A relink keeps the human decision.
      await identity.relinkAll(system);
      assert.equal(await personOf('Patient/lab-x'), target);
    });

    test('merge keeps the survivor id and redirects the other; unmerge restores both and relink keeps them apart', async () => {
      const a = (await personOf('Patient/clinic-p2'))!;
      const b = (await personOf('Patient/clinic-p3'))!;
      await identity.merge(reviewer, a, b);
      assert.equal(await personOf('Patient/payer-p3'), a);
      assert.equal((await sql.getPerson(parts.db, b))?.status, 'merged');
      const redirected = await golden(b);
      assert.equal(redirected.active, false);
      assert.deepEqual(redirected.link, [{ other: { reference: `Patient/${a}` }, type: 'replaced-by' }]);
      assert.equal((await golden(a)).link?.length, 6);
      assert.deepEqual((await identity.getPerson(reviewer, a)).mergedFrom, [b]);

      const { restored } = await identity.unmerge(reviewer, b);
      assert.deepEqual(restored.sort(), ['Patient/clinic-p3', 'Patient/crm-p3', 'Patient/payer-p3']);
      assert.equal((await sql.getPerson(parts.db, b))?.status, 'active');
      assert.equal((await golden(b)).active, true);
      assert.equal((await golden(a)).link?.length, 3);
      await identity.relinkAll(system);
      assert.equal(await personOf('Patient/clinic-p3'), b);
      assert.equal(await personOf('Patient/clinic-p2'), a);
    });

    test('not a match: the record leaves the person, and relink neither links nor proposes the pair again', async () => {
      const person = (await personOf('Patient/clinic-p4'))!;
      await identity.markNotMatch(reviewer, 'Patient/clinic-p4', 'Patient/crm-p4');
      const away = await personOf('Patient/crm-p4');
      assert.notEqual(away, person);
      // Drop the human unlink so only the not-a-match pair holds them apart.
      await parts.db.query("update identity_link set decided_by = 'auto' where record_ref = 'Patient/crm-p4'");
      const summary = await identity.relinkAll(system);
      assert.notEqual(await personOf('Patient/crm-p4'), await personOf('Patient/clinic-p4'));
      assert.equal(await personOf('Patient/clinic-p4'), person);
      const open = await sql.listReviewItems(parts.db);
      assert.ok(!open.some((r) => r.recordA === 'Patient/clinic-p4' && r.recordB === 'Patient/crm-p4'));
      assert.ok(summary.persons >= PEOPLE + 1);
    });

    test('a member may not make identity decisions, and the refusal is audited', async () => {
      await assert.rejects(identity.relinkAll(member), { code: 'LNG_FORBIDDEN' });
      await assert.rejects(identity.merge(member, 'x', 'y'), { code: 'LNG_FORBIDDEN' });
      await assert.rejects(identity.decideReview(member, 1, 'link'), { code: 'LNG_FORBIDDEN' });
      await parts.audit.flush();
      const { rows } = await parts.db.query<{ n: number }>(
        `select count(*)::int as n from audit_event
          where event->'agent'->0->'who'->'identifier'->>'value' = 'm1' and event->>'outcome' <> '0'`,
      );
      assert.equal(rows[0]!.n, 3);
    });
  });
}
