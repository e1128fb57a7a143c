/**
 * What an import directory holds, by silo: the silo simulator's output (docs/simulator.md:
 * `ehr-clinic/` FHIR Bundles, `hospital/` and `labs/` HL7 v2 files, `payer/` and `crm/` CSV
 * extracts, `truth/` ground truth) or any directory of FHIR Bundles / NDJSON files (Synthea's
 * output). Classification is by file, so a directory may mix them:
 * - `.hl7`, `.er7`: HL7 v2 files, channel `hl7:<silo>`;
 * - `.json`: a FHIR Bundle or resource per file, `.ndjson`: one resource per line, channel `fhir:<silo>`;
 * - `.csv`: an extract whose path matches a mapping's `file`, channel `csv:<mapping source>`;
 *   a CSV with no mapping is listed as skipped, never guessed at;
 * - `truth/` at the top, hidden files and everything else: skipped (the simulator's truth is
 *   what the integration is scored against, not a feed).
 * The silo is the first folder under the directory, or the directory's own name for files at
 * its top.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { LongitudeError } from '../../platform/errors.ts';
import type { CsvMapping } from '../csv/mapping-file.ts';

export type FeedKind = 'fhir' | 'hl7' | 'csv';

export interface ImportFile {
  path: string;
  /** Path relative to the import directory, with `/` separators: what control ids and Provenance name. */
  rel: string;
  bytes: number;
  /** For CSV: the mapping its path matched. */
  mapping?: CsvMapping;
  format?: 'json' | 'ndjson';
}

export interface ImportSource {
  silo: string;
  kind: FeedKind;
  channel: string;
  files: ImportFile[];
}

export interface DetectedSources {
  sources: ImportSource[];
  skipped: { rel: string; reason: string }[];
}

const HL7_EXTENSIONS = new Set(['.hl7', '.er7']);
const KIND_ORDER: Record<FeedKind, number> = { fhir: 0, hl7: 1, csv: 2 };

/**
 * @param mappings - the CSV mappings known (their order is the import order within a source)
 * @throws LongitudeError LNG_NOT_FOUND when the directory does not exist or holds no feed at all
 */
export function detectSources(dir: string, mappings: readonly CsvMapping[]): DetectedSources {
  let root;
  try {
    root = statSync(dir);
  } catch {
    throw new LongitudeError('LNG_NOT_FOUND', `${dir} does not exist`);
  }
  if (!root.isDirectory()) throw new LongitudeError('LNG_BAD_REQUEST', `${dir} is not a directory`);
  const bySilo = new Map<string, ImportSource>();
  const skipped: DetectedSources['skipped'] = [];
  const rootName = basename(dir.replace(/[/\\]+$/, '')) || 'import';

  for (const path of walk(dir)) {
    const rel = relative(dir, path).split(sep).join('/');
    const parts = rel.split('/');
    const silo = parts.length > 1 ? parts[0]! : rootName;
    if (parts.length > 1 && parts[0] === 'truth') {
      skipped.push({ rel, reason: 'ground truth, not a feed' });
      continue;
    }
    const ext = extname(path).toLowerCase();
    const bytes = statSync(path).size;
    let kind: FeedKind;
    let channel: string;
    let file: ImportFile = { path, rel, bytes };
    if (HL7_EXTENSIONS.has(ext)) {
      kind = 'hl7';
      channel = `hl7:${silo}`;
    } else if (ext === '.json' || ext === '.ndjson') {
      kind = 'fhir';
      channel = `fhir:${silo}`;
      file = { ...file, format: ext === '.json' ? 'json' : 'ndjson' };
    } else if (ext === '.csv') {
      const mapping = mappings.find((m) => m.file === rel);
      if (!mapping) {
        skipped.push({ rel, reason: 'no CSV mapping for this file' });
        continue;
      }
      kind = 'csv';
      channel = `csv:${mapping.source.system}`;
      file = { ...file, mapping };
    } else {
      skipped.push({ rel, reason: 'not a feed file (.hl7, .er7, .json, .ndjson, .csv)' });
      continue;
    }
    const key = `${silo}\u0000${channel}`;
    const source = bySilo.get(key) ?? { silo, kind, channel, files: [] };
    source.files.push(file);
    bySilo.set(key, source);
  }
  const sources = [...bySilo.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.silo.localeCompare(b.silo));
  for (const source of sources) {
    source.files.sort((a, b) => {
      const byMapping = a.mapping && b.mapping ? mappings.indexOf(a.mapping) - mappings.indexOf(b.mapping) : 0;
      return byMapping || a.rel.localeCompare(b.rel);
    });
  }
  if (sources.length === 0) throw new LongitudeError('LNG_NOT_FOUND', `${dir} holds no feed files (.hl7, .json, .ndjson, or a .csv with a mapping)`);
  return { sources, skipped };
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    // A symbolic link counts as what it points to (a feed folder assembled from links).
    const stat = entry.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : entry;
    if (stat?.isDirectory()) yield* walk(path);
    else if (stat?.isFile()) yield path;
  }
}
