import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { testDatabases } from '../../test-support/test-db.ts';
import { syntheaDir, syntheaFiles } from '../../test-support/synthea-fixture.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';

/** The 80 Synthea patients of ../shared/data/fhir/synthea-r4 (see its SOURCE.md). */
const files = syntheaFiles();

const backends = testDatabases();

/**
 * Loading all 80 takes minutes on the embedded database (WASM): when a PostgreSQL server is
 * there, it takes the whole set and PGlite every tenth bundle; without one, PGlite takes all.
 */
function filesFor(kind: string): string[] {
  return kind === 'pglite' && backends.length > 1 ? files.filter((_, i) => i % 10 === 0) : files;
}

for (const backend of backends) {
  describe(`Synthea transaction Bundles over HTTP on ${backend.kind}`, () => {
    let t: TestHub;
    let token: string;
    before(async () => {
      t = await openTestHub(await backend.open());
      token = await t.token('system');
    });
    after(() => t.close());

    const chosen = filesFor(backend.kind);
    test(`${chosen.length === 80 ? 'all 80' : `${chosen.length} of the 80`} bundles load with zero failures at the default request size limit`, async () => {
      assert.equal(files.length, 80);
      let resources = 0;
      let expected = 0;
      const failures: string[] = [];
      for (const file of chosen) {
        const text = readFileSync(join(syntheaDir, file), 'utf8');
        expected += (JSON.parse(text) as Bundle).entry?.length ?? 0;
        const res = await t.app.fastify.inject({
          method: 'POST',
          url: '/fhir/R4',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
          payload: text,
        });
        if (res.statusCode !== 200) failures.push(`${file}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        else resources += (res.json() as Bundle).entry?.length ?? 0;
      }
      assert.deepEqual(failures, []);
      assert.equal(resources, expected);
      if (chosen.length === 80) assert.equal(resources, 26_925);

      // References were rewritten to the ids the server assigned.
      const { rows } = await t.hub.db.query<{ content: Observation }>(
        `select content from resource where resource_type = 'Observation' limit 1`,
      );
      const subject = rows[0]!.content.subject!.reference!;
      assert.match(subject, /^Patient\/[0-9a-f-]{36}$/);
      const { rows: patients } = await t.hub.db.query('select 1 from resource where resource_type = $1 and id = $2', ['Patient', subject.split('/')[1]]);
      assert.equal(patients.length, 1);
    });
  });
}
