/**
 * ADT^A40 merges from the hospital, end to end: HL7 messages through the message store and the
 * HL7 mapping into the record, the identity outbox consumer online, then `relink --all`. The
 * two MRNs of one patient are written so that the engine alone would keep them apart (another
 * spelling, birth date and town), so only the source's merge can bring them together.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { MessageProcessor } from '../integration/message-store/message-processor.ts';
import { receiveMessage } from '../integration/message-store/message-store.ts';
import { Hl7MessageHandler } from '../integration/hl7v2-fhir/message-handler.ts';
import { SearchService } from '../record/search/search-service.ts';
import { wireRecordParts, type RecordParts } from '../test-support/hub-parts.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { createAccessContext, systemContext } from '../trust/access-context.ts';
import { attachIdentity } from './identity-consumer.ts';
import type { IdentityService } from './identity-service.ts';
import * as sql from './person-store.ts';

const system = systemContext('test:identity');
const reviewer = createAccessContext({ actor: { type: 'user', id: 'rita.reviewer' }, role: 'admin' });
let control = 0;

const msh = (type: string) => `MSH|^~\\&|ADT|GENHOSP|LONGITUDE|HUB|20250301080000||${type}|A40T${++control}|P|2.5.1`;
const pid = (mrn: string, name: string, dob: string, address: string) => `PID|1||${mrn}^^^GENHOSP^MR||${name}||${dob}|M|||${address}`;
/** Two MRNs of one man, registered years apart with a typo-ridden name, birth date and address. */
const people = (n: number) => ({
  survivor: { mrn: `${n}001`, pid: pid(`${n}001`, `SMITH^JOHN${n}`, '19700101', `${n} Main St^^Columbus^OH^43001`) },
  prior: { mrn: `${n}002`, pid: pid(`${n}002`, `SMYTHE^JON${n}`, '19710110', `${n} Oak Ave^^Dayton^OH^45401`) },
});
const register = (p: { pid: string }) => [msh('ADT^A04^ADT_A01'), 'EVN|A04|20250301080000', p.pid, 'PV1|1|O'].join('\r');
const a40 = (n: number) => {
  const { survivor, prior } = people(n);
  return [msh('ADT^A40^ADT_A39'), 'EVN|A40|20250301080000', survivor.pid, `MRG|${prior.mrn}^^^GENHOSP^MR`].join('\r');
};

for (const backend of testDatabases()) {
  describe(`ADT^A40 merges honoured by identity on ${backend.kind}`, () => {
    let parts: RecordParts;
    let identity: IdentityService;
    let drain: () => Promise<void>;
    let processor: MessageProcessor;
    let search: SearchService;

    before(async () => {
      parts = wireRecordParts(await backend.open());
      await parts.searchParameters.load();
      const online = attachIdentity(parts);
      identity = online.service;
      drain = online.drain;
      search = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      processor = new MessageProcessor({
        db: parts.db, store: parts.store, ctx: system,
        handlers: new Map([['hl7:hospital', new Hl7MessageHandler({ overrides: {} })]]),
        fhirBaseUrl: 'http://localhost/fhir/R4',
        retryPolicy: { maxAttempts: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      });
    });
    after(() => parts.close());

    async function send(message: string): Promise<void> {
      const { id } = await receiveMessage(parts.db, { channel: 'hl7:hospital', content: new TextEncoder().encode(message), controlId: `A40T${control}` });
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'processed', JSON.stringify(outcome.error));
      await drain();
    }
    async function recordOf(mrn: string): Promise<string> {
      const found = await search.search(system, 'Patient', [['identifier', mrn], ['_tag:not', 'urn:longitude:identity|golden']]);
      const [p] = found.resources as Patient[];
      assert.ok(p, `no Patient with MRN ${mrn}`);
      return `Patient/${p.id}`;
    }
    const personOf = async (ref: string) => (await sql.linkOfRecord(parts.db, ref))?.personId;

    test('two registrations the engine keeps apart, then the A40: one person, the link says the hospital merged them', async () => {
      const { survivor, prior } = people(1);
      await send(register(survivor));
      await send(register(prior));
      const [s, p] = [await recordOf(survivor.mrn), await recordOf(prior.mrn)];
      const [before1, before2] = [await personOf(s), await personOf(p)];
      assert.ok(before1 && before2);
      assert.notEqual(before1, before2);

      await send(a40(1));
      assert.equal(await personOf(p), before1, 'the prior record joins the survivor record’s person');
      assert.equal((await sql.getPerson(parts.db, before2))?.replacedBy, before1);
      const link = await sql.linkOfRecord(parts.db, p);
      assert.equal(link?.rule, 'source-merge');
      assert.match(JSON.stringify(link?.reasons), /source hl7:hospital: prior patient record 1002 \(MRG-1\), merge requested by ADT\^A40/);
      const decision = (await sql.decisionsOfPerson(parts.db, before1)).find((d) => d.action === 'source-merge');
      assert.deepEqual(decision?.recordRefs, [p]);
      const golden = await parts.store.read<Patient>(system, 'Patient', before1);
      assert.deepEqual(golden.link?.map((l) => l.other.reference).sort(), [s, p].sort());

      const summary = await identity.relinkAll(system);
      assert.equal(await personOf(p), await personOf(s), 'a batch relink honours the same claim');
      assert.equal((await sql.linkOfRecord(parts.db, p))?.rule, 'source-merge');
      assert.ok(summary.persons >= 1);
    });

    test('the A40 may come before the record it retires', async () => {
      const { survivor, prior } = people(2);
      await send(a40(2));
      await send(register(prior));
      assert.equal(await personOf(await recordOf(prior.mrn)), await personOf(await recordOf(survivor.mrn)));
    });

    test('a person’s "not a match" outranks the source, online and in a relink', async () => {
      const { survivor, prior } = people(3);
      await send(register(survivor));
      await send(register(prior));
      const [s, p] = [await recordOf(survivor.mrn), await recordOf(prior.mrn)];
      await identity.markNotMatch(reviewer, s, p);
      await send(a40(3));
      assert.notEqual(await personOf(p), await personOf(s));
      await identity.relinkAll(system);
      assert.notEqual(await personOf(p), await personOf(s));
    });

    test('a source merge can be undone: unmerge restores the prior person and a relink keeps them apart', async () => {
      const { survivor, prior } = people(4);
      await send(register(survivor));
      await send(register(prior));
      const [s, p] = [await recordOf(survivor.mrn), await recordOf(prior.mrn)];
      const priorPerson = (await personOf(p))!;
      await send(a40(4));
      assert.equal(await personOf(p), await personOf(s));
      const { restored } = await identity.unmerge(reviewer, priorPerson);
      assert.deepEqual(restored, [p]);
      assert.equal(await personOf(p), priorPerson);
      await identity.relinkAll(system);
      assert.notEqual(await personOf(p), await personOf(s));
    });
  });
}
