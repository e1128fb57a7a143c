/**
 * Batch relink through the database: N synthetic people as three silos hold them (clinic,
 * payer, CRM; src/identity/identity-fixtures.ts) stored as source Patients, then
 * `IdentityService.relinkAll` twice (first run creates every person and golden record; the
 * second finds them unchanged). Prints seconds per phase and peak RSS.
 * Usage: node --import tsx bench/identity/relink.ts [--people N] [--db pglite|postgres]
 * (postgres uses DATABASE_URL). Figures go to docs/benchmarks.md ("Identity relink").
 */
import { parseArgs } from 'node:util';
import { fixturePatients } from '../../src/identity/identity-fixtures.ts';
import { IdentityService, type RelinkSummary } from '../../src/identity/identity-service.ts';
import { wireRecordParts } from '../../src/test-support/hub-parts.ts';
import { testDatabases } from '../../src/test-support/test-db.ts';
import { systemContext } from '../../src/trust/access-context.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '2000' }, db: { type: 'string', default: 'pglite' } } });
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
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await parts.close();
