/**
 * The normalization tables, as data files beside this module (tables/): per-source lab code
 * maps (tables/lab-codes/<source>.json), drugs (tables/drugs.json) and condition abbreviations
 * (tables/conditions.json). Each file is validated when loaded; a bad file fails with
 * LNG_CONFIG_INVALID naming the file and the element, not later with a wrong mapping.
 * The formats are documented in docs/integration.md, "Normalization".
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LongitudeError } from '../../platform/errors.ts';

const loincCode = z.string().regex(/^\d{1,7}-\d$/, 'a LOINC code such as 2345-7');

export const labCodeTableSchema = z
  .object({
    source: z.string().min(1),
    /** Other names the same source goes by (the HL7 mapper's sender, a handler's sourceSystem). */
    aliases: z.array(z.string().min(1)).default([]),
    description: z.string().min(1),
    version: z.string().min(1),
    /** Code systems the local codes are sent in; a coding without a system also matches. */
    systems: z.array(z.string().min(1)).min(1),
    codes: z.record(z.string().min(1), z.object({ loinc: loincCode, display: z.string().min(1) }).strict()),
  })
  .strict();
export type LabCodeTable = z.infer<typeof labCodeTableSchema> & { file: string };

export const drugTableSchema = z
  .object({
    description: z.string().min(1),
    source: z.string().min(1),
    version: z.string().min(1),
    /** What `class` means and where the classes come from. */
    classes: z.string().min(1).optional(),
    drugs: z.array(
      z
        .object({
          ingredient: z.string().min(1),
          rxnorm: z.string().regex(/^\d+$/),
          brands: z.array(z.string().min(1)),
          synonyms: z.array(z.string().min(1)).optional(),
          /** Therapeutic class for duplication checks (see `classes`). */
          class: z.string().min(1).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type DrugTable = z.infer<typeof drugTableSchema>;

export const conditionTableSchema = z
  .object({
    description: z.string().min(1),
    source: z.string().min(1),
    version: z.string().min(1),
    conditions: z.array(
      z
        .object({
          names: z.array(z.string().min(1)).min(1),
          icd10cm: z.string().min(3),
          icd10cmDisplay: z.string().min(1),
          snomed: z.string().regex(/^\d+$/),
          snomedDisplay: z.string().min(1),
        })
        .strict(),
    ),
  })
  .strict();
export type ConditionTable = z.infer<typeof conditionTableSchema>;

export interface NormalizationTables {
  /** Lab code tables by source name and alias, lower case. */
  labCodes: ReadonlyMap<string, LabCodeTable>;
  drugs: DrugTable;
  conditions: ConditionTable;
}

export const defaultTablesDir = new URL('./tables/', import.meta.url).pathname;

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LongitudeError('LNG_CONFIG_INVALID', `normalization table ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LongitudeError('LNG_CONFIG_INVALID', `normalization table ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Loads and validates every table under `dir`.
 * @param dir - a folder laid out like tables/ (lab-codes/*.json, drugs.json, conditions.json)
 */
export function loadNormalizationTables(dir: string = defaultTablesDir): NormalizationTables {
  const labDir = join(dir, 'lab-codes');
  const labCodes = new Map<string, LabCodeTable>();
  for (const name of readdirSync(labDir).filter((f) => f.endsWith('.json')).sort()) {
    const file = join(labDir, name);
    const table = { ...readJson(file, labCodeTableSchema), file: `lab-codes/${name}` };
    for (const key of [table.source, ...table.aliases].map((s) => s.toLowerCase())) {
      if (labCodes.has(key)) throw new LongitudeError('LNG_CONFIG_INVALID', `normalization table ${file}: source name ${key} is already used by ${labCodes.get(key)!.file}`);
      labCodes.set(key, table);
    }
  }
  return {
    labCodes,
    drugs: readJson(join(dir, 'drugs.json'), drugTableSchema),
    conditions: readJson(join(dir, 'conditions.json'), conditionTableSchema),
  };
}

let shipped: NormalizationTables | undefined;

/** The tables shipped with Longitude, loaded once (they are read-only data). */
export function shippedTables(): NormalizationTables {
  shipped ??= loadNormalizationTables();
  return shipped;
}
