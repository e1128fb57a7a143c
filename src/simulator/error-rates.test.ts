/**
 * Error rates land where configured, at N = 10,000: first from the injector's own counts
 * (truth/error-summary.json), then independently by comparing silo output with the clean
 * person model (truth/people.csv). Bands are binomial: expected +- 4 standard deviations.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { defaultErrorRates, rateFor } from './error-rates.ts';
import { nicknamesOf } from './nicknames.ts';
import { writeOrganization } from './write-organization.ts';

const dir = join(mkdtempSync(join(tmpdir(), 'longitude-sim-rates-')), 'org');
after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true }) as Record<string, string>[];
}

function assertRate(label: string, hits: number, eligible: number, p: number): void {
  const expected = eligible * p;
  const band = 4 * Math.sqrt(eligible * p * (1 - p)) + 1;
  assert.ok(Math.abs(hits - expected) <= band, `${label}: ${hits} of ${eligible}, expected ${expected.toFixed(1)} +- ${band.toFixed(1)}`);
}

describe('error rates at N = 10,000', () => {
  let people: Map<string, Record<string, string>>;
  let personOf: Map<string, string>;
  before(async () => {
    await writeOrganization({ outDir: dir, people: 10_000, seed: 2024 });
    people = new Map(readCsv(join(dir, 'truth/people.csv')).map((p) => [p.person_id!, p]));
    personOf = new Map(readCsv(join(dir, 'truth/identity.csv')).map((r) => [`${r.silo}|${r.record_id}`, r.person_id!]));
  });

  test('the injector hits every configured rate within a binomial band', () => {
    const summary = JSON.parse(readFileSync(join(dir, 'truth/error-summary.json'), 'utf8')) as Record<string, Record<string, { configuredRate: number; eligible: number; injected: number }>>;
    let checked = 0;
    for (const [silo, kinds] of Object.entries(summary)) {
      for (const [kind, c] of Object.entries(kinds)) {
        assert.equal(c.configuredRate, rateFor(defaultErrorRates, silo as 'crm', kind as 'typo'));
        if (c.eligible < 100) continue;
        assertRate(`${silo} ${kind}`, c.injected, c.eligible, c.configuredRate);
        checked++;
      }
    }
    assert.ok(checked > 40, `${checked} silo x kind rates checked`);
  });

  test('CRM first names are nicknames at the configured rate', () => {
    let eligible = 0;
    let nicknamed = 0;
    for (const row of readCsv(join(dir, 'crm/contacts.csv'))) {
      const person = people.get(personOf.get(`crm|${row.contact_id}`)!)!;
      const nicks = nicknamesOf(person.given!);
      if (nicks.length === 0) continue;
      eligible++;
      if (nicks.some((n) => n.toLowerCase() === row.first_name!.toLowerCase())) nicknamed++;
    }
    // A later typo or first/last swap hides some nicknames.
    const p = rateFor(defaultErrorRates, 'crm', 'nickname') * (1 - rateFor(defaultErrorRates, 'crm', 'typo')) * (1 - rateFor(defaultErrorRates, 'crm', 'nameSwap'));
    assertRate('crm nickname', nicknamed, eligible, p);
  });

  test('payer enrollment: day/month swaps, missing and wrong SSNs, swapped names, and nothing unlogged', () => {
    const logged = new Map<string, Set<string>>();
    for (const e of readCsv(join(dir, 'truth/errors.csv'))) {
      if (e.silo !== 'payer') continue;
      const set = logged.get(e.record_id!) ?? new Set<string>();
      set.add(e.kind!);
      logged.set(e.record_id!, set);
    }
    let swapEligible = 0, swapped = 0, ssnMissing = 0, ssnWrong = 0, nameSwapped = 0, rows = 0;
    for (const row of readCsv(join(dir, 'payer/enrollment.csv'))) {
      rows++;
      const p = people.get(personOf.get(`payer|${row.member_id}`)!)!;
      const [y, m, d] = p.birth_date!.split('-');
      if (Number(d) <= 12 && d !== m) {
        swapEligible++;
        if (row.dob === `${y}-${d}-${m}`) swapped++;
      }
      if (row.ssn === '') ssnMissing++;
      else if (row.ssn !== p.ssn) ssnWrong++;
      if (row.first_name === p.family || row.first_name === p.maiden_name) nameSwapped++;
      if (!logged.has(row.member_id!)) {
        assert.equal(row.first_name, p.given, 'no logged error, clean given name');
        assert.equal(row.last_name, p.family, 'no logged error, clean family name');
        assert.equal(row.dob, p.birth_date);
        assert.equal(row.ssn, p.ssn);
      }
    }
    const r = (k: 'dobDayMonthSwap' | 'ssnMissing' | 'ssnWrongDigits' | 'nameSwap' | 'typo') => rateFor(defaultErrorRates, 'payer', k);
    assertRate('payer dob day/month swap', swapped, swapEligible, r('dobDayMonthSwap'));
    assertRate('payer ssn missing', ssnMissing, rows, r('ssnMissing'));
    assertRate('payer ssn wrong digits', ssnWrong, rows - ssnMissing, r('ssnWrongDigits'));
    assertRate('payer first/last swapped', nameSwapped, rows, r('nameSwap') * (1 - r('typo')) ** 2);
  });

  test('hospital duplicate MRNs: some people have two, some of those are merged by A40', () => {
    const counts = new Map<string, number>();
    for (const [k, person] of personOf) if (k.startsWith('hospital|')) counts.set(person, (counts.get(person) ?? 0) + 1);
    const twoMrns = [...counts.values()].filter((n) => n === 2).length;
    assert.ok(twoMrns > 20, `${twoMrns} people with two hospital MRNs`);
    assert.ok([...counts.values()].every((n) => n <= 2));
  });
});
