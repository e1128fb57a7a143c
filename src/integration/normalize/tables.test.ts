import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { conditionInfo } from '../../simulator/conditions.ts';
import { analytes, labTests } from '../../simulator/lab-catalog.ts';
import { drugs } from '../../simulator/medications.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { isValidLoinc } from '../quality/code-systems.ts';
import { loadNormalizationTables, shippedTables } from './tables.ts';

describe('shipped normalization tables', () => {
  const tables = shippedTables();

  test("the hospital table maps every local code the simulated hospital sends to the simulator's LOINC", () => {
    const hospital = tables.labCodes.get('hospital')!;
    assert.equal(tables.labCodes.get('hosp_adt.general_hospital'), hospital, 'the HL7 sender name is an alias');
    for (const a of [...Object.values(analytes), ...Object.values(labTests)]) {
      assert.equal(hospital.codes[a.local]?.loinc, a.loinc, `local code ${a.local}`);
    }
    for (const entry of Object.values(hospital.codes)) assert.ok(isValidLoinc(entry.loinc), entry.loinc);
  });

  test('the drug table has at least 60 brand/generic pairs, unique codes and names, and every simulated drug', () => {
    const pairs = tables.drugs.drugs.reduce((n, d) => n + d.brands.length, 0);
    assert.ok(pairs >= 60, `${pairs} pairs`);
    const codes = tables.drugs.drugs.map((d) => d.rxnorm);
    assert.equal(new Set(codes).size, codes.length, 'one entry per RxNorm ingredient');
    const names = tables.drugs.drugs.flatMap((d) => [d.ingredient, ...d.brands, ...(d.synonyms ?? [])].map((n) => n.toLowerCase()));
    assert.equal(new Set(names).size, names.length, 'a name belongs to one ingredient');
    assert.match(tables.drugs.source, /RxNorm|RxNav/);
    for (const d of Object.values(drugs)) {
      const entry = tables.drugs.drugs.find((e) => e.rxnorm === d.rxnorm);
      assert.ok(entry, `${d.generic} (${d.rxnorm})`);
      assert.ok(entry.brands.includes(d.brand), `${d.brand} is a brand of ${entry.ingredient}`);
    }
  });

  test("the condition table codes every abbreviation the simulator writes, with the simulator's codes", () => {
    for (const c of Object.values(conditionInfo)) {
      const entry = tables.conditions.conditions.find((e) => e.names.some((n) => n.toLowerCase() === c.abbreviation.toLowerCase()));
      assert.ok(entry, c.abbreviation);
      assert.equal(entry.icd10cm, c.icd10);
      assert.equal(entry.snomed, c.snomed);
    }
  });
});

describe('loading tables', () => {
  function tablesDir(labTable: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'lng-tables-'));
    mkdirSync(join(dir, 'lab-codes'));
    writeFileSync(join(dir, 'lab-codes', 'site.json'), JSON.stringify(labTable));
    for (const file of ['drugs.json', 'conditions.json']) {
      writeFileSync(join(dir, file), JSON.stringify(file === 'drugs.json' ? { description: 'd', source: 's', version: '1', drugs: [] } : { description: 'd', source: 's', version: '1', conditions: [] }));
    }
    return dir;
  }
  const valid = { source: 'site', description: 'a site', version: '1', systems: ['urn:local'], codes: { GLU: { loinc: '2345-7', display: 'Glucose' } } };

  test('a valid table loads under its source name and aliases, lower case', () => {
    const dir = tablesDir({ ...valid, aliases: ['SITE_LIS'] });
    try {
      const tables = loadNormalizationTables(dir);
      assert.equal(tables.labCodes.get('site_lis')?.file, 'lab-codes/site.json');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('a malformed LOINC code or an unknown key is refused, naming the file and element', () => {
    for (const bad of [{ ...valid, codes: { GLU: { loinc: '2345', display: 'Glucose' } } }, { ...valid, extra: 1 }]) {
      const dir = tablesDir(bad);
      try {
        assert.throws(() => loadNormalizationTables(dir), (err) => err instanceof LongitudeError && err.code === 'LNG_CONFIG_INVALID' && /site\.json/.test(err.message));
      } finally {
        rmSync(dir, { recursive: true });
      }
    }
  });
});
