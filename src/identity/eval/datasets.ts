/**
 * Labelled datasets → source records plus, kept apart, the entity label of each record. The
 * engine only ever receives `records`; `entities` is read by the scorer alone.
 *
 * Formats: febrl (Febrl generator CSVs, entity in rec_id), splink (Splink's fake_1000 and
 * historical_50k, entity in `cluster`), canonical (documented in docs/identity.md), simulator
 * (a `longitude simulate` output directory, entity from truth/identity.csv).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LongitudeError } from '../../platform/errors.ts';
import type { SourceRecord } from '../types.ts';
import { parseCsv } from './csv.ts';
import { readSimulatorDataset } from './simulator-dataset.ts';

export const DATASET_FORMATS = ['febrl', 'splink', 'canonical', 'simulator'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Canonical fields that `--drop` can blank (ssn also drops other national/member identifiers). */
export const CANONICAL_FIELDS = [
  'given_name', 'family_name', 'birth_date', 'sex', 'phone', 'email', 'address_line', 'city', 'state', 'postal_code', 'ssn',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

export interface LabelledDataset {
  records: SourceRecord[];
  /** Entity label per record, same order as records. */
  entities: string[];
  /**
   * Merges the sources themselves asserted (an HL7 ADT^A40: MRG-1 retired into the PID's
   * record): data the hub receives and honours (source-merges.ts), not labels.
   */
  sourceMerges?: { survivor: string; prior: string }[];
}

const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

function csvFiles(dir: string, exclude: RegExp = /(^|_)(labels|true_pairs)/): string[] {
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir).filter((f) => f.endsWith('.csv') && !exclude.test(f)).sort().map((f) => join(dir, f));
}

function readFebrl(dir: string): LabelledDataset {
  const out: LabelledDataset = { records: [], entities: [] };
  for (const file of csvFiles(dir)) {
    for (const row of parseCsv(readFileSync(file, 'utf8'))) {
      const id = row['rec_id'] ?? '';
      const entity = /^rec-(\d+)-/.exec(id)?.[1];
      if (!entity) throw new LongitudeError('LNG_BAD_REQUEST', `${basename(file)}: rec_id "${id}" is not rec-<N>-org|dup-<k>`);
      const line = [row['street_number'], row['address_1']].filter(Boolean).join(' ');
      const ssn = blank(row['soc_sec_id']);
      out.records.push({
        recordId: `${basename(file)}/${id}`, source: basename(file, '.csv'),
        givenName: blank(row['given_name']), familyName: blank(row['surname']), birthDate: blank(row['date_of_birth']),
        address: { line, city: blank(row['suburb']), state: blank(row['state']), postalCode: blank(row['postcode']) },
        // An Australian-style 7-digit id, not a US SSN: compared as an identifier.
        identifiers: ssn ? [{ system: 'soc_sec_id', value: ssn }] : [],
      });
      out.entities.push(entity);
    }
  }
  return out;
}

function readSplink(dir: string): LabelledDataset {
  const out: LabelledDataset = { records: [], entities: [] };
  for (const file of csvFiles(dir)) {
    for (const row of parseCsv(readFileSync(file, 'utf8'))) {
      const cluster = row['cluster'];
      if (cluster === undefined) throw new LongitudeError('LNG_BAD_REQUEST', `${basename(file)}: no cluster column`);
      out.records.push({
        recordId: `${basename(file)}/${row['unique_id'] ?? out.records.length}`, source: basename(file, '.csv'),
        givenName: blank(row['first_name']), familyName: blank(row['surname']), birthDate: blank(row['dob']),
        sex: blank(row['gender']), email: blank(row['email']),
        address: { city: blank(row['city'] ?? row['birth_place']), postalCode: blank(row['postcode_fake']) },
      });
      out.entities.push(cluster);
    }
  }
  return out;
}

/** The canonical CSV: record_id,entity_id,source,given_name,family_name,birth_date,sex,phone,email,address_line,city,state,postal_code,ssn */
export function readCanonical(dir: string): LabelledDataset {
  const out: LabelledDataset = { records: [], entities: [] };
  for (const file of csvFiles(dir)) {
    for (const row of parseCsv(readFileSync(file, 'utf8'))) {
      const id = row['record_id'];
      const entity = row['entity_id'];
      if (!id || entity === undefined) throw new LongitudeError('LNG_BAD_REQUEST', `${basename(file)}: record_id and entity_id are required`);
      out.records.push({
        recordId: id, source: row['source'] || basename(file, '.csv'),
        givenName: blank(row['given_name']), familyName: blank(row['family_name']), birthDate: blank(row['birth_date']),
        sex: blank(row['sex']), phones: [blank(row['phone'])], email: blank(row['email']),
        address: { line: blank(row['address_line']), city: blank(row['city']), state: blank(row['state']), postalCode: blank(row['postal_code']) },
        ssn: blank(row['ssn']),
      });
      out.entities.push(entity);
    }
  }
  return out;
}

/** Blanks the named canonical fields in every record (e.g. evaluate FEBRL without its SSN-like id). */
export function dropFields(records: readonly SourceRecord[], fields: readonly CanonicalField[]): SourceRecord[] {
  const drop = new Set(fields);
  return records.map((r) => ({
    ...r,
    ...(drop.has('given_name') ? { givenName: undefined, middleName: undefined } : {}),
    ...(drop.has('family_name') ? { familyName: undefined } : {}),
    ...(drop.has('birth_date') ? { birthDate: undefined } : {}),
    ...(drop.has('sex') ? { sex: undefined } : {}),
    ...(drop.has('phone') ? { phones: [] } : {}),
    ...(drop.has('email') ? { email: undefined } : {}),
    ...(drop.has('ssn') ? { ssn: undefined, identifiers: [] } : {}),
    address: {
      line: drop.has('address_line') ? undefined : r.address?.line,
      city: drop.has('city') ? undefined : r.address?.city,
      state: drop.has('state') ? undefined : r.address?.state,
      postalCode: drop.has('postal_code') ? undefined : r.address?.postalCode,
    },
  }));
}

/** Guesses the format from the files present. */
export function detectFormat(dir: string): DatasetFormat {
  if (statSync(dir).isDirectory()) {
    const names = readdirSync(dir);
    if (names.includes('truth')) return 'simulator';
    const csv = names.find((n) => n.endsWith('.csv') && !/labels|true_pairs/.test(n));
    if (!csv) throw new LongitudeError('LNG_BAD_REQUEST', `no dataset CSV in ${dir}`);
    dir = join(dir, csv);
  }
  const header = readFileSync(dir, 'utf8').slice(0, 500).split('\n')[0] ?? '';
  if (header.startsWith('rec_id')) return 'febrl';
  if (header.includes('record_id') && header.includes('entity_id')) return 'canonical';
  if (header.includes('cluster')) return 'splink';
  throw new LongitudeError('LNG_BAD_REQUEST', `cannot tell the format of ${dir}; pass --format`);
}

export function readDataset(dir: string, format: DatasetFormat): LabelledDataset {
  switch (format) {
    case 'febrl': return readFebrl(dir);
    case 'splink': return readSplink(dir);
    case 'canonical': return readCanonical(dir);
    case 'simulator': return readSimulatorDataset(dir);
  }
}
