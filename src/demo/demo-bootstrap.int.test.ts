/**
 * The demo load on a fresh database with a small organization: every stage's counts agree with
 * what is in the database (HL7 messages all came over MLLP and were processed, rows and bundles
 * imported, persons linked, signals stored), the outbox consumers of identity and signals are
 * past everything the load wrote, a second call skips, an interrupted load is redone with its
 * recorded parameters without duplicating anything, and a database holding other data is left
 * alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Db } from '../platform/db/db.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { openTestHub } from '../test-support/test-hub.ts';
import { systemContext } from '../trust/access-context.ts';
import { bootstrapDemo, type DemoStage, type StageSummary } from './demo-bootstrap.ts';
import { readDemoState } from './demo-state.ts';
import { BATCHED_CONSUMERS } from './demo-stages.ts';

const PEOPLE = 15;
// A fixed simulated year and a moment at its end: the same organization and signals every run.
const START = '2025-01-01';
const AS_OF = new Date('2025-12-31T23:59:59Z');

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from (${sql}) q`, params);
  return Number(rows[0]!.n);
}

function stageOf(stages: StageSummary[], stage: DemoStage): Record<string, number> {
  const found = stages.find((s) => s.stage === stage);
  assert.ok(found, `stage ${stage} reported`);
  assert.match(found.line, /in \d+\.\d s$/);
  return found.counts;
}

for (const backend of testDatabases()) {
  describe(`demo bootstrap (${backend.kind})`, () => {
    test('loads every silo through the connectors, links, computes signals, then skips; an interrupted load is redone', async () => {
      const db = await backend.open();
      const t = await openTestHub(db, { hl7Port: 0, measuresDir: '../shared/data/measures' });
      try {
        const [channel] = await t.hub.integration.listen({ worker: false });
        const orgDir = join(mkdtempSync(join(tmpdir(), 'lng-demo-')), 'demo-org');
        const seen: DemoStage[] = [];
        const result = await bootstrapDemo(t.hub, {
          mllpPort: channel!.port, people: PEOPLE, seed: 7, startDate: START, asOf: AS_OF, orgDir,
          progress: { update: () => undefined, done: (s) => seen.push(s.stage) },
        });
        assert.equal(result.status, 'loaded');
        assert.equal(result.resumed, false);
        assert.deepEqual(seen, ['simulate', 'hl7', 'files', 'identity', 'signals']);
        assert.deepEqual(result.state && { ...result.state, startedAt: undefined, completedAt: undefined }, {
          status: 'ready', people: PEOPLE, seed: 7, startDate: START, startedAt: undefined, completedAt: undefined,
        });

        const sim = stageOf(result.stages, 'simulate');
        assert.equal(sim.people, PEOPLE);
        assert.ok(sim.hl7Messages! > 0 && sim.bundles! > 0 && sim.claimRows! > 0);

        // Every HL7 message came over MLLP (channel `hl7`), was answered, and none is left unprocessed.
        const hl7 = stageOf(result.stages, 'hl7');
        assert.equal(hl7.sent, sim.hl7Messages);
        assert.equal(hl7.accepted! + hl7.errored!, hl7.sent);
        assert.equal(await count(db, `select 1 from inbound_message where channel = 'hl7'`), hl7.sent);
        assert.equal(await count(db, `select 1 from inbound_message where status = 'received'`), 0);
        assert.equal(await count(db, `select 1 from inbound_message where channel = 'hl7' and status in ('errored', 'dead')`), hl7.errored);

        // CSV rows and bundles through the importer: what was read is stored, and processed or rejected.
        const files = stageOf(result.stages, 'files');
        assert.equal(await count(db, `select 1 from inbound_message where channel <> 'hl7'`), files.read);
        assert.equal(files.processed! + files.filtered! + files.rejected!, files.read);
        assert.equal(await count(db, `select 1 from inbound_message where channel <> 'hl7' and status in ('errored', 'dead')`), files.rejected);
        // What errors is data the simulator spoiled on purpose, never a crash of the hub.
        assert.equal(await count(db, `select 1 from inbound_message where error->>'code' = 'LNG_INTERNAL'`), 0);

        const identity = stageOf(result.stages, 'identity');
        assert.ok(identity.persons! > 0 && identity.persons! <= identity.sourceRecords!);
        assert.equal(await count(db, 'select 1 from identity_person where status = $1', ['active']), identity.persons);

        const signals = stageOf(result.stages, 'signals');
        assert.ok(signals.open! > 0, 'the simulated people have open signals');
        assert.equal(await count(db, `select 1 from resource where resource_type = 'DetectedIssue' and not deleted`), signals.open);
        // The batch did the outbox consumers' work: they start past everything the load wrote.
        const { rows } = await db.query<{ name: string; behind: number }>(
          `select c.name, (select count(*)::int from outbox_event e where e.id > c.last_event_id) as behind
             from outbox_consumer c where c.name = any($1::text[]) order by c.name`,
          [BATCHED_CONSUMERS],
        );
        assert.deepEqual(rows.map((r) => [r.name, Number(r.behind)]), [...BATCHED_CONSUMERS].sort().map((n) => [n, 0]));

        const again = await bootstrapDemo(t.hub, { mllpPort: channel!.port, people: 99, orgDir });
        assert.equal(again.status, 'already-loaded');
        assert.deepEqual(again.stages, []);

        // A load that stopped half way (the state says `loading`) is redone as it began.
        const messages = await count(db, 'select 1 from inbound_message');
        await db.query(`update demo_state set status = 'loading', completed_at = null`);
        const redone = await bootstrapDemo(t.hub, { mllpPort: channel!.port, people: 99, seed: 1, startDate: START, asOf: AS_OF, orgDir });
        assert.equal(redone.status, 'loaded');
        assert.equal(redone.resumed, true);
        assert.equal(redone.state?.people, PEOPLE);
        assert.equal(redone.state?.seed, 7);
        assert.equal(await count(db, 'select 1 from inbound_message'), messages);
        assert.equal(stageOf(redone.stages, 'hl7').accepted, hl7.accepted);
        assert.equal(stageOf(redone.stages, 'files').alreadyStored, files.read);
        assert.equal(stageOf(redone.stages, 'identity').persons, identity.persons);
        assert.equal(await count(db, `select 1 from resource where resource_type = 'DetectedIssue' and not deleted`), signals.open);
        assert.equal((await readDemoState(db))?.status, 'ready');
        // Every signal kind ran for every person (a kind that throws is counted, not fatal).
        assert.equal(signals.failures, 0, result.stages.find((s) => s.stage === 'signals')?.line);
      } finally {
        await t.close();
      }
    });

    test('a database that already holds data is left alone', async () => {
      const t = await openTestHub(await backend.open(), { hl7Port: 0 });
      try {
        await t.hub.store.create(systemContext('test'), { resourceType: 'Patient', name: [{ family: 'Okafor' }] });
        const result = await bootstrapDemo(t.hub, { mllpPort: 1, people: 5, orgDir: join(mkdtempSync(join(tmpdir(), 'lng-demo-')), 'demo-org') });
        assert.equal(result.status, 'not-empty');
        assert.equal(await readDemoState(t.hub.db), undefined);
      } finally {
        await t.close();
      }
    });
  });
}
