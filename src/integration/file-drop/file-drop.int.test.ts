import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { feedMessage } from '../../test-support/hl7-feed.ts';
import { searchMessages } from '../message-store/message-query.ts';

/** A CCD from the shared samples (../shared/data/ccda, see its SOURCE.md), read in place. */
const sampleCcd = fileURLToPath(new URL('../../../../shared/data/ccda/smart-sample-ccdas/Cerner Samples/problems-and-medications.xml', import.meta.url));

for (const backend of testDatabases()) {
  describe(`file-drop directories on ${backend.kind}`, () => {
    let hub: TestHub;
    const hl7Dir = mkdtempSync(join(tmpdir(), 'lng-drop-hl7-'));
    const ccdaDir = mkdtempSync(join(tmpdir(), 'lng-drop-ccda-'));
    // Three messages in one file (a day's capture), one of them unreadable.
    const capture = [feedMessage(0, 'D', 5), feedMessage(1, 'D', 5), 'MSH|^~\\&|LAB|GENERAL|HUB|HUB|20260301||ORU^R01|BAD-1|P|9.9'].join('\r\n') + '\r\n';

    before(async () => {
      writeFileSync(join(hl7Dir, 'day-1.hl7'), capture);
      copyFileSync(sampleCcd, join(ccdaDir, 'ccd-1.xml'));
      hub = await openTestHub(await backend.open(), {
        hl7Port: 0,
        fileDrops: [
          { name: 'lab', dir: hl7Dir, format: 'hl7' },
          { name: 'referrals', dir: ccdaDir, format: 'ccda' },
        ],
      });
      await hub.hub.integration.listen();
      await hub.hub.integration.worker.idle();
    });
    after(() => hub.close());

    test('every message of a dropped file is stored, then the file moves to .done', async () => {
      const stored = await searchMessages(hub.hub.db, { channel: 'hl7:lab' });
      assert.equal(stored.length, 3);
      assert.deepEqual(stored.map((m) => m.status).sort(), ['errored', 'processed', 'processed']);
      assert.deepEqual(readdirSync(hl7Dir), ['.done']);
      assert.ok(existsSync(join(hl7Dir, '.done', 'day-1.hl7')));
    });

    test('a C-CDA document dropped becomes record data with its Provenance', async () => {
      const [document] = await searchMessages(hub.hub.db, { channel: 'ccda:referrals' });
      assert.equal(document?.status, 'processed', JSON.stringify(document?.error));
      const { rows } = await hub.hub.db.query<{ n: number }>(`select count(*)::int as n from resource where resource_type = 'Provenance' and not deleted`);
      assert.ok((rows[0]?.n ?? 0) >= 1);
    });

    test('the same file dropped again stores nothing new; its copy is kept beside the first', async () => {
      writeFileSync(join(hl7Dir, 'day-1.hl7'), capture);
      await hub.hub.integration.drops[0]!.sweep();
      await hub.hub.integration.worker.idle();
      assert.equal((await searchMessages(hub.hub.db, { channel: 'hl7:lab' })).length, 3);
      assert.equal(readdirSync(join(hl7Dir, '.done')).length, 2);
    });
  });
}
