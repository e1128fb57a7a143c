/**
 * Measure content on disk (the layout of ../shared/data/measures, see its SOURCE.md): a
 * manifest, one folder per measure (Measure resource, main-library ELM, ValueSet bundle with
 * expansions) and the shared dependency ELM in _libraries/elm. This is the I/O edge; the
 * engine receives the plain MeasureDefinition it returns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Measure, ValueSet } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { elmLibraryKey, type ElmLibrary } from './elm.ts';
import { populationCodes, type PopulationCode } from './populations.ts';

export type ImprovementNotation = 'increase' | 'decrease';

/** Everything needed to execute one measure. */
export interface MeasureDefinition {
  /** Short name, e.g. CMS122. */
  id: string;
  title: string;
  /** The measure's folder under the content directory (test cases live there). */
  folder: string;
  /** The FHIR Measure (kept for reports and for building fqm-execution bundles). */
  measure: Measure;
  /** Main library ELM; its population defines are named by `populations`. */
  library: ElmLibrary;
  /** Every library the main one includes, directly or not. */
  dependencies: ElmLibrary[];
  /** Every value set the libraries reference, with expansions. */
  valueSets: ValueSet[];
  /** Population code → name of the define statement giving it (Measure.group.population.criteria). */
  populations: Partial<Record<PopulationCode, string>>;
  /** Whether a higher score is better; decides which side of the numerator is a care gap. */
  improvementNotation: ImprovementNotation;
}

interface ManifestEntry {
  dir: string;
  library: string;
  dependencies: string[];
  title?: string;
  improvementNotationCorrect?: string;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'LNG_NOT_FOUND' : 'LNG_MEASURE_CONTENT_INVALID';
    throw new LongitudeError(code, `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The manifest's measure ids, in its order (CMS122, CMS165, …). */
export function listMeasureIds(dir: string): string[] {
  return Object.keys(readManifest(dir)).filter((key) => !key.startsWith('_'));
}

function readManifest(dir: string): Record<string, ManifestEntry> {
  return readJson<Record<string, ManifestEntry>>(join(dir, 'manifest.json'));
}

/** Loads every measure of the manifest (or those named in `ids`). */
export function loadMeasureContent(dir: string, ids?: readonly string[]): MeasureDefinition[] {
  const manifest = readManifest(dir);
  const wanted = ids ?? listMeasureIds(dir);
  const shared = new Map<string, ElmLibrary>();
  const sharedDir = join(dir, '_libraries', 'elm');
  for (const file of readdirSync(sharedDir).filter((name) => name.endsWith('.json'))) {
    const elm = readJson<ElmLibrary>(join(sharedDir, file));
    shared.set(elmLibraryKey(elm), elm);
  }
  return wanted.map((id) => {
    const entry = manifest[id];
    if (!entry) throw new LongitudeError('LNG_NOT_FOUND', `measure ${id} is not in ${join(dir, 'manifest.json')}`);
    return readMeasure(dir, id, entry, shared);
  });
}

function readMeasure(dir: string, id: string, entry: ManifestEntry, shared: Map<string, ElmLibrary>): MeasureDefinition {
  const measureDir = join(dir, entry.dir);
  const measureFile = readdirSync(measureDir).find((name) => name.startsWith('Measure-') && name.endsWith('.json'));
  if (!measureFile) throw new LongitudeError('LNG_MEASURE_CONTENT_INVALID', `no Measure-*.json in ${measureDir}`);
  const measure = readJson<Measure>(join(measureDir, measureFile));
  const library = readJson<ElmLibrary>(join(measureDir, 'elm', `${entry.library}.json`));
  const dependencies = entry.dependencies.map((key) => {
    const elm = shared.get(key);
    if (!elm) throw new LongitudeError('LNG_MEASURE_CONTENT_INVALID', `${id} needs library ${key}, not found in _libraries/elm`);
    return elm;
  });
  const valueSetBundle = readJson<Bundle<ValueSet>>(join(measureDir, 'valuesets-bundle.json'));
  const valueSets = (valueSetBundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'ValueSet' ? [e.resource] : []));
  return {
    id,
    title: entry.title ?? measure.title ?? id,
    folder: entry.dir,
    measure,
    library,
    dependencies,
    valueSets,
    populations: populationCriteria(measure),
    improvementNotation: improvementNotationOf(measure, entry),
  };
}

/** Population code → define name, from the Measure's first group (all six measures have one). */
export function populationCriteria(measure: Measure): Partial<Record<PopulationCode, string>> {
  const group = measure.group?.[0];
  const criteria: Partial<Record<PopulationCode, string>> = {};
  for (const population of group?.population ?? []) {
    const code = population.code?.coding?.[0]?.code;
    const expression = population.criteria?.expression;
    if (code && expression && (populationCodes as readonly string[]).includes(code)) criteria[code as PopulationCode] = expression;
  }
  for (const required of ['initial-population', 'denominator', 'numerator'] as const) {
    if (!criteria[required]) {
      throw new LongitudeError('LNG_MEASURE_CONTENT_INVALID', `Measure ${measure.url ?? measure.id} has no ${required} criteria`);
    }
  }
  return criteria;
}

/**
 * The group's improvement notation. The shipped Measure files are wrong (all say `decrease`,
 * SOURCE.md defect 1), so the manifest's corrected value wins when present.
 */
function improvementNotationOf(measure: Measure, entry: ManifestEntry): ImprovementNotation {
  const fromManifest = entry.improvementNotationCorrect;
  if (fromManifest === 'increase' || fromManifest === 'decrease') return fromManifest;
  const group = measure.group?.[0];
  const extension = group?.extension?.find((e) => e.url.endsWith('/cqfm-improvementNotation'));
  const code = extension?.valueCodeableConcept?.coding?.[0]?.code ?? measure.improvementNotation?.coding?.[0]?.code;
  return code === 'decrease' ? 'decrease' : 'increase';
}
