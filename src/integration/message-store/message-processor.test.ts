import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { HandlerError, MessageProcessor, type MessageHandler } from './message-processor.ts';
import { getMessage, messageOutputs, receiveMessage, requeueMessages } from './message-store.ts';
import { MessageWorker } from './message-worker.ts';
import { ProcessingGroup } from './processing-group.ts';

const system = createAccessContext({ actor: { type: 'system', id: 'connector-test' }, role: 'system' });

/**
 * A channel whose messages are `MRN|family|birthDate` lines: enough to exercise the processor
 * (the HL7 v2 mapping has its own tests). Upserts the Patient by MRN.
 */
const pipeHandler: MessageHandler = {
  handle(message) {
    const [mrn = '', family = '', birthDate = ''] = Buffer.from(message.content).toString('utf8').split('|');
    if (mrn === 'SKIP') return { kind: 'filtered', reason: 'test records are not loaded' };
    if (!/^\w+$/.test(mrn)) throw new HandlerError({ stage: 'map', code: 'bad-mrn', message: `MRN ${mrn} is not valid`, element: 'field 1' });
    const patient: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: mrn }], name: [{ family }], birthDate };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: patient, request: { method: 'PUT', url: `Patient?identifier=urn:mrn|${mrn}` } }],
    };
    return { kind: 'bundle', bundle };
  },
};

for (const backend of testDatabases()) {
  describe(`message processor on ${backend.kind}`, () => {
    let parts: RecordParts;
    let processor: MessageProcessor;
    before(async () => {
      parts = wireRecordParts(await backend.open());
      processor = new MessageProcessor({
        db: parts.db,
        store: parts.store,
        ctx: system,
        handlers: new Map([['pipe', pipeHandler]]),
        fhirBaseUrl: 'http://localhost/fhir/R4',
        retryPolicy: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      });
    });
    after(() => parts.close());

    const send = (text: string, controlId: string, channel = 'pipe') =>
      receiveMessage(parts.db, { channel, content: new TextEncoder().encode(text), controlId, orderingKey: text.split('|')[0]! });

    async function patientsWithMrn(mrn: string): Promise<Patient[]> {
      const { rows } = await parts.db.query<{ content: Patient }>(
        `select content from resource where resource_type = 'Patient' and not deleted and content->'identifier'->0->>'value' = $1`,
        [mrn],
      );
      return rows.map((r) => r.content);
    }

    test('a message becomes record data, and the message records what it wrote', async () => {
      const { id } = await send('M1|Okafor|1980-02-03', 'c1');
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'processed');
      const [patient] = await patientsWithMrn('M1');
      assert.equal(patient?.name?.[0]?.family, 'Okafor');
      assert.deepEqual(await messageOutputs(parts.db, id), [{ resourceType: 'Patient', id: patient!.id!, versionId: 1 }]);
    });

    test('processing again (a resend, a reprocess) updates the same resource, never a second one', async () => {
      const { id } = await send('M2|Ito|1990-01-01', 'c2');
      await processor.processById(id);
      const again = await processor.processById(id);
      assert.equal(again.status, 'processed');
      await requeueMessages(parts.db, [id]);
      assert.equal(await processor.drain(), 1);
      const patients = await patientsWithMrn('M2');
      assert.equal(patients.length, 1);
      assert.equal(patients[0]!.meta?.versionId, '1');
    });

    test('a mapping error rolls everything back and is kept on the message, not retried', async () => {
      const { id } = await send('M-3|Bad|1970-01-01', 'c3');
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'errored');
      assert.deepEqual(outcome.error, { stage: 'map', code: 'bad-mrn', message: 'MRN M-3 is not valid', element: 'field 1' });
      assert.equal((await getMessage(parts.db, id))!.status, 'errored');
      assert.equal(await processor.drain(), 0);
    });

    test('a write the record refuses names the element and leaves no partial data', async () => {
      const { id } = await send('M4|Ruiz|not-a-date', 'c4');
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'errored');
      assert.equal(outcome.error?.stage, 'store');
      assert.match(outcome.error?.element ?? '', /birthDate/);
      assert.deepEqual(await patientsWithMrn('M4'), []);
    });

    test('filtered messages are marked with the reason; unknown channels are errored', async () => {
      const skipped = await send('SKIP|x|y', 'c5');
      assert.equal((await processor.processById(skipped.id)).status, 'filtered');
      const stray = await send('M6|Lee|1999-09-09', 'c6', 'nowhere');
      const outcome = await processor.processById(stray.id);
      assert.equal(outcome.status, 'errored');
      assert.equal(outcome.error?.code, 'no-handler');
    });

    test('the queue is drained oldest first, one patient in order', async () => {
      await send('M7|First|2000-01-01', 'c7a');
      await send('M7|Second|2000-01-01', 'c7b');
      assert.equal(await processor.drain(), 2);
      const [patient] = await patientsWithMrn('M7');
      assert.equal(patient?.name?.[0]?.family, 'Second');
      assert.equal(patient?.meta?.versionId, '2');
    });

    test('several messages in one transaction: a bad one fails alone, the others commit, one patient in order', async () => {
      const first = await send('M9|First|2002-02-02', 'c9a');
      const bad = await send('M10|Broken|not-a-date', 'c9b');
      const second = await send('M9|Second|2002-02-02', 'c9c');
      const unmapped = await send('M-11|Bad|1970-01-01', 'c9d');
      const skipped = await send('SKIP|x|y', 'c9e');
      const outcomes = await processor.processMany([first.id, bad.id, second.id, unmapped.id, skipped.id]);
      assert.deepEqual(
        outcomes.map((o) => [o.id, o.status]),
        [
          [first.id, 'processed'],
          [bad.id, 'errored'],
          [second.id, 'processed'],
          [unmapped.id, 'errored'],
          [skipped.id, 'filtered'],
        ],
      );
      assert.equal(outcomes[1]!.error?.stage, 'store');
      assert.equal(outcomes[3]!.error?.code, 'bad-mrn');
      assert.equal((await getMessage(parts.db, bad.id))!.status, 'errored');
      assert.deepEqual(await patientsWithMrn('M10'), []);
      const [patient] = await patientsWithMrn('M9');
      assert.equal(patient?.name?.[0]?.family, 'Second');
      assert.equal(patient?.meta?.versionId, '2');
      assert.deepEqual(await messageOutputs(parts.db, second.id), [{ resourceType: 'Patient', id: patient!.id!, versionId: 2 }]);
      // Processed again (a resend): nothing new is written.
      const again = await processor.processMany([first.id, second.id]);
      assert.deepEqual(again.map((o) => o.status), ['processed', 'processed']);
      assert.equal((await patientsWithMrn('M9')).length, 1);
    });

    test('draining claims several patients per transaction: one patient in order, a bad message fails alone', async () => {
      const first = await send('M12|First|2003-03-03', 'c12a');
      const other = await send('M13|Other|2003-03-03', 'c12b');
      const bad = await send('M14|Broken|not-a-date', 'c12c');
      const second = await send('M12|Second|2003-03-03', 'c12d');
      // One claim holds the earliest waiting message of each patient, never two of one patient.
      const claimed = await processor.processDue(10);
      assert.deepEqual(
        claimed.map((o) => [o.id, o.status]),
        [
          [first.id, 'processed'],
          [other.id, 'processed'],
          [bad.id, 'errored'],
        ],
      );
      assert.equal(await processor.drain(), 1);
      assert.equal((await getMessage(parts.db, second.id))!.status, 'processed');
      const [patient] = await patientsWithMrn('M12');
      assert.equal(patient?.name?.[0]?.family, 'Second');
      assert.equal(patient?.meta?.versionId, '2');
      assert.equal((await patientsWithMrn('M13')).length, 1);
      assert.deepEqual(await patientsWithMrn('M14'), []);
    });

    test('a processing group answers each caller with the outcomes of its own messages', async () => {
      const group = new ProcessingGroup(processor);
      const a = await send('M15|First|2004-04-04', 'c15a');
      const b = await send('M16|Broken|not-a-date', 'c15b');
      const c = await send('M15|Second|2004-04-04', 'c15c');
      const [first, second, third] = await Promise.all([group.processMany([a.id]), group.processMany([b.id, c.id]), group.processMany([])]);
      assert.deepEqual(first.map((o) => [o.id, o.status]), [[a.id, 'processed']]);
      assert.deepEqual(second.map((o) => [o.id, o.status]), [[b.id, 'errored'], [c.id, 'processed']]);
      assert.deepEqual(third, []);
      const [patient] = await patientsWithMrn('M15');
      assert.equal(patient?.name?.[0]?.family, 'Second');
    });

    test('a worker processes what is queued in the background until stopped', async () => {
      const worker = new MessageWorker(processor, { pollMs: 60_000 });
      worker.start();
      try {
        const { id } = await send('M8|Queued|2001-01-01', 'c8');
        await worker.idle();
        assert.equal((await getMessage(parts.db, id))!.status, 'processed');
      } finally {
        await worker.stop();
      }
    });
  });
}
