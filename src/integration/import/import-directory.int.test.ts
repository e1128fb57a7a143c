/**
 * A simulated organization (30 people, every silo) imported through the message store on
 * every test backend: counts per silo match the files (counted independently: MSH lines,
 * csv-parse records, bundle files), nothing read is lost, a bad row added to the claims is
 * quarantined with its reason while the rest proceed, and importing the directory again adds
 * no message, no resource and no version.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as csvParse } from 'csv-parse/sync';
import { writeOrganization } from '../../simulator/index.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { systemContext } from '../../trust/access-context.ts';
import { shippedMappings } from '../csv/shipped-mappings.ts';
import { importDirectory, type ImportResult } from './import-directory.ts';
import type { SiloSummary } from './import-summary.ts';

const BAD_CLAIM = 'BAD-001,M0000000001,professional,2025-02-30,2025-02-30,I10,99213,,,,1485399285,2908383054,11,180.00,108.00,86.40';

/** What the files hold, counted without the importer's readers. */
function expectedCounts(dir: string): Record<string, number> {
  const hl7 = (silo: string) =>
    readdirSync(join(dir, silo)).reduce((n, f) => n + readFileSync(join(dir, silo, f), 'utf8').split('\n').filter((l) => l.startsWith('MSH|')).length, 0);
  const rows = (file: string) => (csvParse(readFileSync(join(dir, file)), { columns: true }) as unknown[]).length;
  const bundles = readdirSync(join(dir, 'ehr-clinic/bundles'), { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
  return {
    hospital: hl7('hospital'),
    labs: hl7('labs'),
    'ehr-clinic': bundles,
    payer: rows('payer/enrollment.csv') + rows('payer/claims.csv'),
    crm: rows('crm/contacts.csv'),
  };
}

const bySilo = (result: ImportResult) => Object.fromEntries(result.silos.map((s) => [s.silo, s])) as Record<string, SiloSummary>;

let dir: string;
let expected: Record<string, number>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lng-import-'));
  await writeOrganization({ outDir: dir, people: 30, seed: 7 });
  appendFileSync(join(dir, 'payer/claims.csv'), `${BAD_CLAIM}\n`);
  expected = expectedCounts(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const backend of testDatabases()) {
  describe(`import of a simulated organization on ${backend.kind}`, () => {
    let parts: RecordParts;
    let first: ImportResult;
    const deps = () => ({ db: parts.db, store: parts.store, ctx: systemContext('import-test'), fhirBaseUrl: 'http://localhost/fhir/R4', mappings: shippedMappings() });
    const count = async (sql: string) => (await parts.db.query<{ n: number }>(sql)).rows[0]!.n;

    before(async () => {
      parts = wireRecordParts(await backend.open());
      first = await importDirectory(deps(), dir);
    });
    after(() => parts.close());

    test('every silo is found, and the items read per silo match the files', () => {
      assert.deepEqual(Object.keys(bySilo(first)).sort(), Object.keys(expected).sort());
      for (const [silo, n] of Object.entries(expected)) assert.equal(bySilo(first)[silo]!.read, n, silo);
      assert.ok(first.skipped.every((s) => s.rel.startsWith('truth/') || s.rel === 'README.md'), JSON.stringify(first.skipped));
    });

    test('zero lost: every item is stored, and every stored message is processed, filtered or rejected with a reason', async () => {
      const { rows } = await parts.db.query<{ channel: string; n: number }>('select channel, count(*)::int as n from inbound_message group by channel');
      const stored = Object.fromEntries(rows.map((r) => [r.channel, r.n]));
      for (const s of first.silos) {
        assert.equal(s.stored, s.read, s.silo);
        assert.equal(stored[s.channel], s.read, s.channel);
        assert.equal(s.processed + s.filtered + s.rejected, s.read, s.silo);
        assert.equal(s.queued, 0);
      }
      assert.equal(await count(`select count(*)::int as n from inbound_message where status = 'received'`), 0);
    });

    test('the bad claim row is quarantined with its column, the other rows proceed', async () => {
      const payer = bySilo(first).payer!;
      assert.deepEqual(payer.rejections.map(({ stage, code, element, count }) => ({ stage, code, element, count })), [{ stage: 'validate', code: 'invalid-date', element: 'service_from', count: 1 }]);
      for (const s of first.silos.filter((x) => x.silo !== 'payer')) assert.deepEqual(s.rejections, [], s.silo);
      const { rows } = await parts.db.query<{ status: string; error: { stage: string; element: string } }>(`select status, error from inbound_message where control_id = 'BAD-001'`);
      assert.deepEqual(rows.map((r) => [r.status, r.error.stage, r.error.element]), [['errored', 'validate', 'service_from']]);
    });

    test('what the CSV rows wrote: a Claim and an EOB per claim, a member Patient and Coverage per enrollment row', async () => {
      const claims = (csvParse(readFileSync(join(dir, 'payer/claims.csv')), { columns: true }) as unknown[]).length - 1;
      const enrollment = (csvParse(readFileSync(join(dir, 'payer/enrollment.csv')), { columns: true }) as unknown[]).length;
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Claim' and not deleted`), claims);
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'ExplanationOfBenefit' and not deleted`), claims);
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Coverage' and not deleted`), enrollment);
      assert.equal(
        await count(`select count(*)::int as n from resource where resource_type = 'Patient' and not deleted and content->'identifier' @> '[{"system":"urn:longitude:payer:member-id"}]'`),
        enrollment,
        'one Patient per member: the claims only ensured the Patients enrollment wrote',
      );
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Provenance' and not deleted`), first.silos.reduce((n, s) => n + s.processed, 0));
    });

    test('a second import adds nothing: no message, no resource, no version', async () => {
      const before = {
        messages: await count('select count(*)::int as n from inbound_message'),
        resources: await count('select count(*)::int as n from resource'),
        versions: await count('select count(*)::int as n from resource_history'),
      };
      const second = await importDirectory(deps(), dir);
      for (const s of second.silos) {
        assert.equal(s.duplicates, s.read, s.silo);
        assert.deepEqual([s.stored, s.processed, s.rejected], [0, 0, 0], s.silo);
      }
      assert.deepEqual(
        {
          messages: await count('select count(*)::int as n from inbound_message'),
          resources: await count('select count(*)::int as n from resource'),
          versions: await count('select count(*)::int as n from resource_history'),
        },
        before,
      );
    });
  });
}
