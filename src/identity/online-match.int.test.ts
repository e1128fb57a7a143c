/**
 * Online matching through the outbox: after a batch relink has stored its model, each new
 * source Patient is matched as it is written, on every test backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { wireRecordParts, type RecordParts } from '../test-support/hub-parts.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { systemContext } from '../trust/access-context.ts';
import { attachIdentity } from './identity-consumer.ts';
import { fixturePatients, fixturePeople, possibleMatchRecord } from './identity-fixtures.ts';
import type { IdentityService } from './identity-service.ts';
import * as sql from './person-store.ts';

const system = systemContext('test:identity');
const people = fixturePeople(20);
const hospital = (id: string, fields: Partial<Patient>): Patient => ({
  resourceType: 'Patient', id, meta: { source: `urn:longitude:channel/hl7%3Ahospital#${id}` },
  identifier: [{ system: 'urn:longitude:hl7:authority:GENHOSP', value: id.toUpperCase() }], ...fields,
});

for (const backend of testDatabases()) {
  describe(`online matching on ${backend.kind}`, () => {
    let parts: RecordParts;
    let identity: IdentityService;
    let drain: () => Promise<void>;
    const personOf = async (ref: string) => (await sql.linkOfRecord(parts.db, ref))?.personId;
    async function write(patient: Patient): Promise<void> {
      await parts.store.transaction(system, (tx) => tx.update(patient));
      await drain();
    }

    before(async () => {
      parts = wireRecordParts(await backend.open());
      await parts.searchParameters.load();
      const online = attachIdentity(parts);
      identity = online.service;
      drain = online.drain;
      await parts.store.transaction(system, async (tx) => {
        for (const p of fixturePatients(20)) await tx.update(p);
      });
      await identity.relinkAll(system);
      await drain();
    });
    after(() => parts.close());

    test('a hospital record of a known person joins that person, with the score and reasons of its best pair', async () => {
      const p3 = people[3]!;
      await write(hospital('h-p3', {
        name: [{ family: p3.family.toUpperCase(), given: [p3.given] }], birthDate: p3.birthDate, gender: p3.gender,
        address: [{ line: [p3.street], city: p3.city[0], state: p3.city[1], postalCode: p3.city[2] }],
      }));
      const person = await personOf('Patient/clinic-p3');
      assert.equal(await personOf('Patient/h-p3'), person);
      const link = await sql.linkOfRecord(parts.db, 'Patient/h-p3');
      assert.equal(link?.rule, 'online-link');
      assert.ok((link?.probability ?? 0) >= 0.95);
      assert.ok(Array.isArray(link?.reasons) && link.reasons.some((r) => 'comparison' in r && r.comparison === 'birthDate'));
      assert.ok((await sql.decisionsOfPerson(parts.db, person!)).some((d) => d.action === 'online-link' && d.recordRefs[0] === 'Patient/h-p3'));
      const golden = await parts.store.read<Patient>(system, 'Patient', person!);
      assert.ok(golden.link?.some((l) => l.other.reference === 'Patient/h-p3'));
    });

    test('someone new gets a person of their own', async () => {
      await write(hospital('h-new', { name: [{ family: 'Ravensworth', given: ['Ottoline'] }], birthDate: '1933-02-14', gender: 'female' }));
      const person = await personOf('Patient/h-new');
      assert.ok(person);
      assert.equal((await sql.linkOfRecord(parts.db, 'Patient/h-new'))?.rule, 'auto-single');
      assert.deepEqual((await sql.linksOfPersons(parts.db, [person])).map((l) => l.recordRef), ['Patient/h-new']);
    });

    test('a possible match gets a person of its own and a review item', async () => {
      await write({ ...possibleMatchRecord(), id: 'lab-y' });
      assert.notEqual(await personOf('Patient/lab-y'), await personOf('Patient/clinic-p0'));
      const open = await sql.listReviewItems(parts.db, { status: 'open' });
      assert.ok(open.some((i) => [i.recordA, i.recordB].includes('Patient/lab-y')));
    });

    test('a household member (same surname, address and phone; another given name and birth date) stays apart', async () => {
      const p5 = people[5]!;
      await write(hospital('h-p5-child', {
        name: [{ family: p5.family, given: ['Eleanor'] }], birthDate: '2011-09-30', gender: 'female',
        telecom: [{ system: 'phone', value: p5.phone }],
        address: [{ line: [p5.street], city: p5.city[0], state: p5.city[1], postalCode: p5.city[2] }],
      }));
      assert.notEqual(await personOf('Patient/h-p5-child'), await personOf('Patient/clinic-p5'));
    });
  });
}
