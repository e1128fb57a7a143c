/**
 * Signals benchmark: a full run of the rule-based kinds over N synthetic persons, a full run
 * with care gaps on a sample, and incremental latency (a write committed → that person's
 * signals stored) with the outbox dispatcher running, p50/p95.
 *
 *   node --import tsx bench/signals/run.ts [--persons 200] [--database-url postgres://…]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Patient, Resource } from '@medplum/fhirtypes';
import { openHub, type Hub } from '../../src/hub.ts';
import { attachIncrementalSignals, createSignalServices, patientPersons, runSignals, SignalRunner, signalKinds, type SignalKindId } from '../../src/intelligence/signals/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemContext } from '../../src/trust/access-context.ts';
import { withPgliteOnDisk, withPostgresSchema } from '../bench-databases.ts';

const { values } = parseArgs({ options: { persons: { type: 'string', default: '200' }, 'database-url': { type: 'string' } } });
const persons = Number(values.persons);
const ctx = systemContext('bench:signals');
const asOf = new Date('2026-06-30T12:00:00Z');
const ruleKinds = signalKinds.filter((k) => k !== 'care-gap') as SignalKindId[];

function recordOf(patientId: string, i: number): Resource[] {
  const subject = { reference: `Patient/${patientId}` };
  const src = (s: string) => ({ source: `urn:longitude:channel/${s}#${patientId}` });
  const v3 = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
  return [
    ...['2026-02-01', i % 3 === 0 ? '2026-03-15' : '2026-06-01'].map((day, j): Resource => ({
      resourceType: 'Observation', status: 'final', meta: src(j ? 'ehr' : 'lab'), subject, effectiveDateTime: day,
      code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, valueQuantity: { value: 7 + j, unit: '%' },
    })),
    { resourceType: 'Encounter', status: 'finished', class: { system: v3, code: 'IMP' }, subject, meta: src('adt'), period: { start: '2026-06-10T08:00:00Z', end: '2026-06-18T08:00:00Z' } },
    { resourceType: 'Condition', subject, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: i % 2 ? 'I50.9' : 'E11.9' }] }, meta: src('payer') },
    { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, medicationCodeableConcept: { text: 'Lipitor 20 mg' }, authoredOn: '2026-01-01', meta: src('ehr') },
    { resourceType: 'MedicationStatement', status: i % 4 === 0 ? 'stopped' : 'active', subject, medicationCodeableConcept: { text: 'atorvastatin 20 mg' }, dateAsserted: '2026-02-01', meta: src('pharmacy') },
  ];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function bench(db: Db, label: string): Promise<void> {
  const config = loadConfig({ env: {}, overrides: { dataDir: mkdtempSync(join(tmpdir(), 'lng-bench-signals-')), logLevel: 'silent', outboxPollMs: 50 } });
  const hub: Hub = await openHub(config, { db, logger: createLogger(config) });
  try {
    for (let i = 0; i < persons; i++) {
      await hub.store.transaction(ctx, async (tx) => {
        const patient = (await tx.create<Patient>({ resourceType: 'Patient', name: [{ family: `Bench${i}` }] })).resource;
        for (const r of recordOf(patient.id!, i)) await tx.create(r);
      });
    }
    const directory = patientPersons(hub.db);
    const rules = new SignalRunner({ ...hub, services: {} });
    let started = performance.now();
    const summary = await runSignals({ runner: rules, directory }, ctx, { kinds: ruleKinds, asOf });
    const ruleSeconds = (performance.now() - started) / 1000;
    console.log(`${label}: full run, rule kinds, ${persons} persons: ${ruleSeconds.toFixed(1)} s (${(persons / ruleSeconds).toFixed(1)} persons/s)`);
    for (const [kind, t] of summary.byKind) console.log(`  ${kind.padEnd(30)} raised ${t.raised}`);

    const sample = Math.min(20, persons);
    const { services } = createSignalServices({ measuresDir: new URL('../../../shared/data/measures', import.meta.url).pathname });
    const withGaps = new SignalRunner({ ...hub, services });
    const people = await directory.listPersons(undefined, sample);
    started = performance.now();
    for (const person of people) await withGaps.runPerson(ctx, person, { kinds: ['care-gap'], asOf });
    const gapMs = (performance.now() - started) / sample;
    console.log(`${label}: care-gap (6 measures) per person: ${gapMs.toFixed(0)} ms`);

    // Incremental: drain what the load produced, then time write → signals stored.
    const waiting = new Map<string, () => void>();
    const incremental = attachIncrementalSignals(hub, {}, { onRecomputed: (id) => waiting.get(id)?.() });
    await incremental.drain();
    hub.dispatcher.start();
    const latencies: number[] = [];
    for (const person of await directory.listPersons(undefined, Math.min(50, persons))) {
      const done = new Promise<void>((resolve) => waiting.set(person.id, resolve));
      const t0 = performance.now();
      await hub.store.create(ctx, { resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${person.id}` }, effectiveDateTime: new Date().toISOString(), code: { coding: [{ system: 'http://loinc.org', code: '3016-3' }] } });
      await done;
      latencies.push(performance.now() - t0);
      waiting.delete(person.id);
    }
    latencies.sort((a, b) => a - b);
    console.log(`${label}: incremental, write committed → signals stored, ${latencies.length} writes: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`);
  } finally {
    // The database belongs to the caller (withPgliteOnDisk / withPostgresSchema) and is closed there.
    await hub.integration.close();
    await hub.dispatcher.stop();
    await hub.audit.flush();
  }
}

await withPgliteOnDisk((db) => bench(db, 'pglite'));
if (values['database-url']) await withPostgresSchema(values['database-url'], (db) => bench(db, 'postgres'));
