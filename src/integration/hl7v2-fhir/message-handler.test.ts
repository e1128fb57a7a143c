/**
 * Corpus messages through the message store, the processor and Hl7MessageHandler into the
 * record, on every test backend: what they write is searchable, processing a message again
 * changes nothing, later messages about the same patient, visit or appointment update what
 * the first wrote, and failures are kept on the message with their stage and element.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Appointment, Encounter, Patient, Provenance, Resource } from '@medplum/fhirtypes';
import { SearchService } from '../../record/search/search-service.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { MessageProcessor } from '../message-store/message-processor.ts';
import { receiveMessage, requeueMessages } from '../message-store/message-store.ts';
import { Hl7MessageHandler } from './message-handler.ts';

const CORPUS = '/work/shared/data/hl7v2/ms-fhir-converter';
const system = createAccessContext({ actor: { type: 'system', id: 'hl7v2-fhir-test' }, role: 'system' });
const corpus = (file: string) => new Uint8Array(readFileSync(join(CORPUS, file)));
const text = (...segments: string[]) => new TextEncoder().encode(segments.join('\r'));

/** The patient of ADT-A01-02, ADT-A08-02, SIU-S12-01 and SIU-S15-01 (PID-3: PATID1234, authority test1). */
const EVERYMAN = 'identifier=urn:longitude:hl7:authority:test1|PATID1234';

for (const backend of testDatabases()) {
  describe(`HL7 v2 messages into the record on ${backend.kind}`, () => {
    let parts: RecordParts;
    let processor: MessageProcessor;
    let search: SearchService;
    let n = 0;

    before(async () => {
      parts = wireRecordParts(await backend.open());
      search = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      processor = new MessageProcessor({
        db: parts.db,
        store: parts.store,
        ctx: system,
        handlers: new Map([['hl7', new Hl7MessageHandler({ overrides: {} })]]),
        fhirBaseUrl: 'http://localhost/fhir/R4',
        retryPolicy: { maxAttempts: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      });
    });
    after(() => parts.close());

    async function process(content: Uint8Array) {
      const { id } = await receiveMessage(parts.db, { channel: 'hl7', content, controlId: `c${++n}` });
      return { id, outcome: await processor.processById(id) };
    }

    async function find<T extends Resource>(type: string, query: string): Promise<T[]> {
      return (await search.search(system, type, new URLSearchParams(query))).resources as T[];
    }

    async function counts(): Promise<Record<string, number>> {
      const { rows } = await parts.db.query<{ resource_type: string; n: number }>(
        `select resource_type, count(*)::int as n from resource where not deleted group by resource_type order by resource_type`,
      );
      return Object.fromEntries(rows.map((r) => [r.resource_type, Number(r.n)]));
    }

    test('an admission, then an update: one Patient and one Encounter, updated in place', async () => {
      const admit = await process(corpus('ADT-A01-02.hl7'));
      assert.equal(admit.outcome.status, 'processed', JSON.stringify(admit.outcome.error));
      const [patient] = await find<Patient>('Patient', EVERYMAN);
      assert.equal(patient?.name?.[0]?.family, 'EVERYMAN');
      assert.equal((await find<Encounter>('Encounter', `patient=Patient/${patient!.id}`))[0]?.status, 'in-progress');

      const update = await process(corpus('ADT-A08-02.hl7'));
      assert.equal(update.outcome.status, 'processed', JSON.stringify(update.outcome.error));
      const patients = await find<Patient>('Patient', EVERYMAN);
      assert.deepEqual(patients.map((p) => [p.id, p.meta?.versionId]), [[patient!.id, '2']]);
      const encounters = await find<Encounter>('Encounter', `patient=Patient/${patient!.id}`);
      assert.equal(encounters.length, 1);
      assert.equal(encounters[0]!.status, 'planned', 'A08 with patient class P (IG PatientClass[EncounterStatus])');
    });

    test('lab results are searchable by patient, and processing the message again changes nothing', async () => {
      const { id, outcome } = await process(corpus('LAB-ORU-1.hl7'));
      assert.equal(outcome.status, 'processed', JSON.stringify(outcome.error));
      const [patient] = await find<Patient>('Patient', 'identifier=10006579');
      assert.ok(patient, 'the ORU ensured its Patient');
      assert.equal((await find('Observation', `patient=Patient/${patient.id}`)).length, 10);
      assert.equal((await find('DiagnosticReport', `patient=Patient/${patient.id}&code=http://loinc.org|24317-0`)).length, 1);
      assert.equal((await find('Observation', 'code=http://loinc.org|11273-0&value-quantity=4.06')).length, 1);

      const before = await counts();
      const versions = (await find<Resource>('Observation', `patient=Patient/${patient.id}`)).map((o) => o.meta?.versionId);
      await requeueMessages(parts.db, [id]);
      assert.equal(await processor.drain(), 1);
      assert.deepEqual(await counts(), before);
      assert.deepEqual((await find<Resource>('Observation', `patient=Patient/${patient.id}`)).map((o) => o.meta?.versionId), versions, 'an identical rewrite makes no new version');
    });

    test('the Provenance of a message targets what it wrote and names the message', async () => {
      const { id, outcome } = await process(corpus('VXU.hl7'));
      assert.equal(outcome.status, 'processed', JSON.stringify(outcome.error));
      const [provenance] = await find<Provenance>('Provenance', `entity:identifier=urn:longitude:message-store|${id}`);
      assert.ok(provenance);
      const written = outcome.outputs.filter((o) => o.resourceType !== 'Provenance').map((o) => `${o.resourceType}/${o.id}`).sort();
      assert.deepEqual(provenance.target.map((t) => t.reference).sort(), written);
      const [patient] = await find<Patient>('Patient', 'identifier=90012');
      assert.equal((await find('Immunization', `patient=Patient/${patient!.id}`)).length, 3);
      assert.equal((await find('Patient', `_source=urn:longitude:channel/hl7%23${id}`)).length, 1);
    });

    test('a booking, then its cancellation: one Appointment, cancelled, for the patient the ADT created', async () => {
      assert.equal((await process(corpus('SIU-S12-01.hl7'))).outcome.status, 'processed');
      assert.equal((await process(corpus('SIU-S15-01.hl7'))).outcome.status, 'processed');
      const [patient] = await find<Patient>('Patient', EVERYMAN);
      const appointments = await find<Appointment>('Appointment', `patient=Patient/${patient!.id}`);
      assert.deepEqual(appointments.map((a) => a.status), ['cancelled']);
      assert.equal((await find<Patient>('Patient', EVERYMAN)).length, 1, 'SIU only ensured the Patient');
    });

    test('failures are kept on the message: parse and map errors with their element; other types filtered', async () => {
      const before = await counts();
      const garbled = await process(new TextEncoder().encode('this is not HL7'));
      assert.equal(garbled.outcome.status, 'errored');
      assert.equal(garbled.outcome.error?.stage, 'parse');
      const badDate = await process(text('MSH|^~\\&|A|B|C|D|20240301||ADT^A01|X1|P|2.5.1', 'PID|1||Z-1^^^H||Doe^Jane||19801332'));
      assert.deepEqual(badDate.outcome.error && { stage: badDate.outcome.error.stage, element: badDate.outcome.error.element }, { stage: 'map', element: 'PID-7' });
      const ack = await process(text('MSH|^~\\&|A|B|C|D|20240301||ACK^A01|X2|P|2.5.1', 'MSA|AA|X1'));
      assert.equal(ack.outcome.status, 'filtered');
      assert.deepEqual(await counts(), before, 'nothing was written');
    });
  });
}
