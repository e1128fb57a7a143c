/**
 * The same HbA1c from the reference lab and, forwarded, from the hospital: one Observation with
 * the Provenance of both messages, once identity holds the two patients' records as one person.
 * HL7 messages through the message store, mapping, normalization and the record, on every
 * test backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticReport, Observation, Provenance } from '@medplum/fhirtypes';
import * as identity from '../identity/person-store.ts';
import { SearchService } from '../record/search/search-service.ts';
import { wireRecordParts, type RecordParts } from '../test-support/hub-parts.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { systemContext } from '../trust/access-context.ts';
import { createEntryChecks } from './entry-checks.ts';
import { Hl7MessageHandler } from './hl7v2-fhir/message-handler.ts';
import { MessageProcessor } from './message-store/message-processor.ts';
import { receiveMessage } from './message-store/message-store.ts';
import { sameFactFinder } from './same-fact.ts';
import { consolidateSameFacts } from './same-fact-consolidation.ts';

const system = systemContext('test:same-fact');
let control = 0;

/** An ORU^R01 with one HbA1c result (OBX-3 LOINC 4548-4) for a patient of `facility`. */
function oru(facility: string, mrn: string, filler: string, value: string, at = '202503101330') {
  return [
    `MSH|^~\\&|LAB|${facility}|LONGITUDE|HUB|${at}||ORU^R01^ORU_R01|SF${++control}|P|2.5.1`,
    `PID|1||${mrn}^^^${facility}^MR||DOE^JANE||19600101|F`,
    `OBR|1||${filler}|4548-4^Hemoglobin A1c^LN|||${at}`,
    `OBX|1|NM|4548-4^Hemoglobin A1c^LN||${value}|%^^UCUM|4.0-5.6|H|||F|||${at}`,
  ].join('\r');
}

for (const backend of testDatabases()) {
  describe(`the same fact from two sources on ${backend.kind}`, () => {
    let parts: RecordParts;
    let processor: MessageProcessor;
    let search: SearchService;

    before(async () => {
      parts = wireRecordParts(await backend.open());
      await parts.searchParameters.load();
      search = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      const handler = new Hl7MessageHandler({ overrides: {} });
      processor = new MessageProcessor({
        db: parts.db, store: parts.store, ctx: system,
        handlers: new Map([['hl7:lab', handler], ['hl7:hospital', handler]]),
        entryChecks: createEntryChecks({}),
        sameAs: sameFactFinder(identity.recordsOfSamePerson),
        fhirBaseUrl: 'http://localhost/fhir/R4',
        retryPolicy: { maxAttempts: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      });
    });
    after(() => parts.close());

    async function send(channel: string, message: string) {
      const { id } = await receiveMessage(parts.db, { channel, content: new TextEncoder().encode(message), controlId: `SF${control}` });
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'processed', JSON.stringify(outcome.error));
      return outcome;
    }
    const find = async <T>(type: string, query: [string, string][]) => (await search.search(system, type, query)).resources as T[];
    const patientOf = async (_facility: string, mrn: string) => (await find<{ id: string }>('Patient', [['identifier', mrn]]))[0]!.id;
    async function samePerson(...refs: string[]) {
      const person = `person-${refs.join('-')}`;
      await parts.db.transaction(async (tx) => {
        await identity.insertPersons(tx, [person]);
        await identity.upsertLinks(tx, refs.map((recordRef) => ({ recordRef, personId: person, source: 'test', score: null, probability: null, rule: 'manual-link', reasons: [], decidedBy: 'user' as const, decidedById: 'test' })));
      });
    }
    const hba1cOf = (patients: string[]) => find<Observation>('Observation', [['subject', patients.map((p) => `Patient/${p}`).join(',')], ['code', 'http://loinc.org|4548-4']]);

    test('the hospital forwards what the lab reported: one Observation, two Provenances, the hospital report points at it', async () => {
      await send('hl7:lab', oru('REFLAB', 'L100', 'F-LAB-1', '7.2'));
      await send('hl7:hospital', oru('GENHOSP', 'H100', 'F-HOSP-9', '0'));
      const [lab, hospital] = [await patientOf('REFLAB', 'L100'), await patientOf('GENHOSP', 'H100')];
      await samePerson(`Patient/${lab}`, `Patient/${hospital}`);

      const forwarded = await send('hl7:hospital', oru('GENHOSP', 'H100', 'F-HOSP-1', '7.2'));
      const results = await hba1cOf([lab, hospital]);
      assert.deepEqual(results.map((o) => o.valueQuantity?.value).sort(), [0, 7.2], 'no second 7.2 %');
      const kept = results.find((o) => o.valueQuantity?.value === 7.2)!;
      assert.equal(kept.subject?.reference, `Patient/${lab}`);
      // The message's outputs name the Observation it maps to: the lab's, at the version the lab wrote.
      assert.deepEqual(forwarded.outputs.filter((o) => o.resourceType === 'Observation'), [{ resourceType: 'Observation', id: kept.id, versionId: 1 }]);

      const provenances = await find<Provenance>('Provenance', [['target', `Observation/${kept.id}`]]);
      assert.equal(provenances.length, 2);
      assert.deepEqual(provenances.map((p) => p.meta?.source?.split('#')[0]).sort(), ['urn:longitude:channel/hl7%3Ahospital', 'urn:longitude:channel/hl7%3Alab']);
      const [report] = await find<DiagnosticReport>('DiagnosticReport', [['subject', `Patient/${hospital}`], ['code', 'http://loinc.org|4548-4']]).then((rs) => rs.filter((r) => r.identifier?.some((i) => i.value === 'F-HOSP-1')));
      assert.deepEqual(report?.result?.map((r) => r.reference), [`Observation/${kept.id}`]);
    });

    test('processing the forwarded message again writes nothing new', async () => {
      const lab = await patientOf('REFLAB', 'L100');
      const hospital = await patientOf('GENHOSP', 'H100');
      const before = (await hba1cOf([lab, hospital])).length;
      await send('hl7:hospital', oru('GENHOSP', 'H100', 'F-HOSP-1', '7.2'));
      assert.equal((await hba1cOf([lab, hospital])).length, before);
    });

    test('another value, another time, or two people identity has not linked: separate facts', async () => {
      await send('hl7:lab', oru('REFLAB', 'L200', 'F-LAB-2', '6.1'));
      await send('hl7:hospital', oru('GENHOSP', 'H200', 'F-HOSP-2', '6.1'));
      const [lab, hospital] = [await patientOf('REFLAB', 'L200'), await patientOf('GENHOSP', 'H200')];
      assert.equal((await hba1cOf([lab, hospital])).length, 2, 'not linked: each source keeps its own');
      await samePerson(`Patient/${lab}`, `Patient/${hospital}`);
      await send('hl7:hospital', oru('GENHOSP', 'H200', 'F-HOSP-3', '6.2'));
      await send('hl7:hospital', oru('GENHOSP', 'H200', 'F-HOSP-4', '6.1', '202503111330'));
      assert.equal((await hba1cOf([lab, hospital])).length, 4);
    });

    test('stored twice before identity linked the two patients: consolidated after, the copy gone, its references moved', async () => {
      const [lab, hospital] = [await patientOf('REFLAB', 'L200'), await patientOf('GENHOSP', 'H200')];
      const copies = (await hba1cOf([lab, hospital])).filter((o) => o.valueQuantity?.value === 6.1 && o.effectiveDateTime?.startsWith('2025-03-10'));
      assert.equal(copies.length, 2);
      const summary = await consolidateSameFacts(parts, system);
      assert.deepEqual(summary, { facts: 1, removed: 1, repointed: 2 }, 'the hospital copy’s Provenance and report');
      const left = (await hba1cOf([lab, hospital])).filter((o) => o.valueQuantity?.value === 6.1 && o.effectiveDateTime?.startsWith('2025-03-10'));
      assert.equal(left.length, 1);
      const kept = left[0]!;
      const gone = copies.find((c) => c.id !== kept.id)!;
      await assert.rejects(parts.store.read(system, 'Observation', gone.id!), /LNG_GONE|deleted/);
      assert.equal((await find<Provenance>('Provenance', [['target', `Observation/${kept.id}`]])).length, 2);
      assert.deepEqual(await consolidateSameFacts(parts, system), { facts: 0, removed: 0, repointed: 0 }, 'a second run changes nothing');
    });
  });
}
