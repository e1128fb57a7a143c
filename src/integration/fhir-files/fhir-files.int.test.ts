/**
 * A directory of FHIR files through `importDirectory` on every test backend: Synthea
 * transaction Bundles (linked from ../shared/data, never copied), an NDJSON file written from
 * one of them, one of them again under another name, and a file that is not JSON. Each file
 * or line is a message; what Synthea repeats across Bundles (Organizations, Practitioners, the
 * same patient exported twice) is written once; a re-import adds nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { syntheaDir, syntheaFiles } from '../../test-support/synthea-fixture.ts';
import { wireRecordParts, type RecordParts } from '../../test-support/hub-parts.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { systemContext } from '../../trust/access-context.ts';
import { importDirectory, type ImportResult } from '../import/import-directory.ts';

/** The smallest Synthea files keep the suite fast. */
const [first, second, third] = ['Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json', 'Antonio_Castellanos_6d2eba67-5b4a-403f-a29f-e6da3f1ea963.json', 'Xavier_Lueilwitz_1af31141-7c85-4dc9-8472-8fd3fa953ee8.json'];
const available = [first, second, third].every((f) => syntheaFiles().includes(f!));

let dir: string;
let ndjsonLines: number;

before(() => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'lng-fhir-import-'));
  symlinkSync(join(syntheaDir, first!), join(dir, first!));
  symlinkSync(join(syntheaDir, second!), join(dir, second!));
  // The same patient's Bundle exported again under another name: a message of its own that
  // must find what the first wrote (conditional creates on identifiers, the same urn:uuid ids).
  symlinkSync(join(syntheaDir, first!), join(dir, `again-${first!}`));
  // A bulk-export style NDJSON file: the third patient's Patient and Observations, with ids.
  const bundle = JSON.parse(readFileSync(join(syntheaDir, third!), 'utf8')) as Bundle;
  const lines = (bundle.entry ?? [])
    .filter((e) => e.resource?.resourceType === 'Patient' || e.resource?.resourceType === 'Observation')
    .map((e) => ({ ...e.resource!, id: e.fullUrl!.slice('urn:uuid:'.length) }))
    .map((r) => JSON.stringify(r.resourceType === 'Observation' ? { ...r, subject: { reference: `Patient/${(bundle.entry ?? []).find((x) => x.resource?.resourceType === 'Patient')!.fullUrl!.slice(9)}` }, encounter: undefined } : r));
  ndjsonLines = lines.length;
  writeFileSync(join(dir, 'export.ndjson'), `${lines.join('\n')}\n\n`);
  writeFileSync(join(dir, 'broken.json'), '{"resourceType": "Bundle", ');
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

for (const backend of testDatabases()) {
  describe(`FHIR files into the record on ${backend.kind}`, { skip: !available && 'the Synthea sample is not in ../shared/data' }, () => {
    let parts: RecordParts;
    let result: ImportResult;
    const deps = () => ({ db: parts.db, store: parts.store, ctx: systemContext('fhir-import-test'), fhirBaseUrl: 'http://localhost/fhir/R4', mappings: [] });
    const count = async (sql: string) => (await parts.db.query<{ n: number }>(sql)).rows[0]!.n;

    before(async () => {
      parts = wireRecordParts(await backend.open());
      result = await importDirectory(deps(), dir);
    });
    after(() => parts.close());

    test('each file and each NDJSON line is one message; the broken file is rejected at stage parse', () => {
      assert.equal(result.silos.length, 1);
      const [silo] = result.silos;
      assert.equal(silo!.channel, `fhir:${dir.split('/').at(-1)}`);
      assert.equal(silo!.read, 4 + ndjsonLines);
      assert.equal(silo!.processed, 3 + ndjsonLines, JSON.stringify(silo!.rejections));
      assert.deepEqual(silo!.rejections.map((g) => [g.stage, g.code, g.count]), [['parse', 'invalid-json', 1]]);
    });

    test('every entry is written once: the Bundle imported twice under two names adds no resource', async () => {
      const entries = [first, second].flatMap((f) => (JSON.parse(readFileSync(join(syntheaDir, f!), 'utf8')) as Bundle).entry ?? []);
      const distinctOrgs = new Set(entries.filter((e) => e.resource?.resourceType === 'Organization').map((e) => JSON.stringify((e.resource as { identifier?: unknown[] }).identifier?.[0])));
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Organization' and not deleted`), distinctOrgs.size);
      const observations = entries.filter((e) => e.resource?.resourceType === 'Observation').length + ndjsonLines - 1;
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Observation' and not deleted`), observations);
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Patient' and not deleted`), 3);
      const practitioners = new Set(entries.filter((e) => e.resource?.resourceType === 'Practitioner').map((e) => JSON.stringify((e.resource as { identifier?: unknown[] }).identifier?.[0])));
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Practitioner' and not deleted`), practitioners.size);
    });

    test('every resource names its message in meta.source, and a Provenance per message targets them', async () => {
      assert.equal(await count(`select count(*)::int as n from resource where not deleted and resource_type <> 'Provenance' and content->'meta'->>'source' not like 'urn:longitude:channel/fhir%'`), 0);
      assert.equal(await count(`select count(*)::int as n from resource where resource_type = 'Provenance' and not deleted`), 3 + ndjsonLines);
    });

    test('a second import adds no message, resource or version', async () => {
      const totals = async () => [await count('select count(*)::int as n from inbound_message'), await count('select count(*)::int as n from resource'), await count('select count(*)::int as n from resource_history')];
      const before = await totals();
      const again = await importDirectory(deps(), dir);
      assert.deepEqual([again.silos[0]!.stored, again.silos[0]!.duplicates], [0, 4 + ndjsonLines]);
      assert.deepEqual(await totals(), before);
    });
  });
}
