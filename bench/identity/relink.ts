/**
 * Batch relink through the database: N synthetic people as three silos hold them (clinic,
 * payer, CRM; src/identity/identity-fixtures.ts) stored as source Patients, then
 * `IdentityService.relinkAll` twice (first run creates every person and golden record; the
 * second finds them unchanged), then online: `--online K` new hospital records of known people
 * matched one by one as the identity worker does, and K Patient/$match probes (p50/p95).
 * Prints seconds per phase and peak RSS.
 * Usage: node --import tsx bench/identity/relink.ts [--people N] [--db pglite|postgres] [--online K]
 * (postgres uses DATABASE_URL). Figures go to docs/benchmarks.md ("Identity relink").
 */
import { parseArgs } from 'node:util';
import type { Patient } from '@medplum/fhirtypes';
import { fixturePatients, fixturePeople } from '../../src/identity/identity-fixtures.ts';
import * as sql from '../../src/identity/person-store.ts';
import { IdentityService, type RelinkSummary } from '../../src/identity/identity-service.ts';
import { wireRecordParts } from '../../src/test-support/hub-parts.ts';
import { testDatabases } from '../../src/test-support/test-db.ts';
import { systemContext } from '../../src/trust/access-context.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '2000' }, db: { type: 'string', default: 'pglite' }, online: { type: 'string', default: '200' } } });
const backend = testDatabases().find((b) => b.kind === values.db);
if (!backend) throw new Error(`no ${values.db} database (set DATABASE_URL for postgres)`);
const parts = wireRecordParts(await backend.open());
await parts.searchParameters.load();
const ctx = systemContext('bench:identity');
const patients = fixturePatients(Number(values.people));
let t = performance.now();
for (let k = 0; k < patients.length; k += 500) {
  await parts.store.transaction(ctx, async (tx) => {
    for (const p of patients.slice(k, k + 500)) await tx.update(p);
  });
}
console.log(`stored ${patients.length} source Patients in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const identity = new IdentityService(parts);
const show = (label: string, s: RelinkSummary) =>
  console.log(`${label}: ${s.sourceRecords} records → ${s.persons} persons (${s.personsCreated} new), ${s.linksChanged} links changed, ${s.goldenWritten} golden written, ${s.reviewOpened} review, ${s.seconds.toFixed(1)} s`);
const stageTimes = new Map<string, number>();
let last = performance.now();
let stage = '';
t = performance.now();
show('first relink', await identity.relinkAll(ctx, {
  onProgress: (s) => {
    if (s !== stage) {
      const now = performance.now();
      if (stage) stageTimes.set(stage, (stageTimes.get(stage) ?? 0) + (now - last));
      stage = s;
      last = now;
    }
  },
}));
stageTimes.set(stage, performance.now() - last);
console.log(`  stages (s): ${[...stageTimes].map(([s, ms]) => `${s} ${(ms / 1000).toFixed(2)}`).join(', ')}`);
show('second relink', await identity.relinkAll(ctx));

// Online: new hospital records of known people, each matched as the identity worker matches
// it (refreshRecords after the write commits), then Patient/$match probes of other people.
const people = fixturePeople(Number(values.people));
const probes = Math.min(Number(values.online), people.length);
const step = Math.max(1, Math.floor(people.length / probes));
const online: number[] = [];
let joined = 0;
for (let k = 0; k < probes; k++) {
  const p = people[(k * step) % people.length]!;
  const record: Patient = {
    resourceType: 'Patient', id: `hosp-${p.key}`, meta: { source: `urn:longitude:channel/hl7%3Ahospital#${k}` },
    identifier: [{ system: 'urn:longitude:hl7:authority:GENHOSP', value: `H${k}` }],
    name: [{ family: p.family.toUpperCase(), given: [p.given.toUpperCase()] }], birthDate: p.birthDate, gender: p.gender,
    address: [{ line: [p.street], city: p.city[0], state: p.city[1], postalCode: p.city[2] }],
  };
  await parts.store.transaction(ctx, (tx) => tx.update(record));
  const started = performance.now();
  const [person] = await identity.refreshRecords(ctx, [`Patient/${record.id}`]);
  online.push(performance.now() - started);
  if (person && person === (await sql.linkOfRecord(parts.db, `Patient/clinic-${p.key}`))?.personId) joined++;
}
const matchMs: number[] = [];
for (let k = 0; k < probes; k++) {
  const p = people[(k * step + 1) % people.length]!;
  const started = performance.now();
  await identity.matchPatient(ctx, { resourceType: 'Patient', name: [{ family: p.family, given: [p.given] }], birthDate: p.birthDate, gender: p.gender });
  matchMs.push(performance.now() - started);
}
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!.toFixed(1);
console.log(`online match of a new record: ${probes} records, ${joined} joined their person; p50 ${pct(online, 0.5)} ms, p95 ${pct(online, 0.95)} ms`);
console.log(`Patient/$match: ${probes} probes; p50 ${pct(matchMs, 0.5)} ms, p95 ${pct(matchMs, 0.95)} ms`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await parts.close();
