/**
 * A C-CDA document through the message store, the processor and CcdaMessageHandler into the
 * record, on every test backend: its resources are searchable, processing it again changes
 * nothing (stable ids), and a malformed document is kept errored with its LNG_CCDA_* code.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SearchService } from '../../record/search/search-service.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { MessageProcessor } from '../message-store/message-processor.ts';
import { receiveMessage, requeueMessages } from '../message-store/message-store.ts';
import { CcdaMessageHandler } from './ccda-message-handler.ts';

const FILE = new URL('../../../../shared/data/ccda/ms-fhir-converter/CCD.ccda', import.meta.url).pathname;
const system = createAccessContext({ actor: { type: 'system', id: 'ccda-test' }, role: 'system' });

for (const backend of testDatabases()) {
  describe(`C-CDA documents into the record on ${backend.kind}`, { skip: !existsSync(FILE) && 'no corpus' }, () => {
    let parts: RecordParts;
    let processor: MessageProcessor;
    let search: SearchService;

    before(async () => {
      parts = wireRecordParts(await backend.open());
      search = new SearchService({ db: parts.db, audit: parts.audit, parameters: parts.searchParameters });
      processor = new MessageProcessor({
        db: parts.db,
        store: parts.store,
        ctx: system,
        handlers: new Map([['ccda', new CcdaMessageHandler()]]),
        fhirBaseUrl: 'http://localhost/fhir/R4',
        retryPolicy: { maxAttempts: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      });
    });
    after(() => parts.close());

    async function counts(): Promise<Record<string, number>> {
      const { rows } = await parts.db.query<{ resource_type: string; n: number }>(`select resource_type, count(*)::int as n from resource where not deleted group by resource_type order by resource_type`);
      return Object.fromEntries(rows.map((r) => [r.resource_type, Number(r.n)]));
    }

    test('a CCD is stored, mapped and searchable; processing it again duplicates nothing', async () => {
      const { id } = await receiveMessage(parts.db, { channel: 'ccda', content: new Uint8Array(readFileSync(FILE)), controlId: 'ccd-1' });
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'processed', JSON.stringify(outcome.error));
      const [patient] = (await search.search(system, 'Patient', new URLSearchParams('family=Jones'))).resources;
      assert.ok(patient, 'the header patient is in the record');
      const observations = (await search.search(system, 'Observation', new URLSearchParams(`patient=Patient/${patient.id}&code=http://loinc.org|8480-6`))).resources;
      assert.equal(observations.length, 1, 'the systolic blood pressure');
      const before = await counts();
      await requeueMessages(parts.db, [id]);
      assert.equal(await processor.drain(), 1);
      assert.deepEqual(await counts(), before);
    });

    test('a malformed document is kept, errored, with its code and stage', async () => {
      const { id } = await receiveMessage(parts.db, { channel: 'ccda', content: new TextEncoder().encode('<ClinicalDocument><id></ClinicalDocument>'), controlId: 'bad-1' });
      const outcome = await processor.processById(id);
      assert.equal(outcome.status, 'errored');
      assert.deepEqual({ stage: outcome.error?.stage, code: outcome.error?.code }, { stage: 'parse', code: 'LNG_CCDA_MALFORMED_XML' });
    });
  });
}
