/**
 * The error model's knobs: one rate per kind of error, optionally overridden per silo.
 * A rate is the probability that an *eligible* field or record in that silo carries the
 * error (eligibility per kind is in docs/simulator.md; e.g. nickname only applies to given
 * names that have a nickname). `--rates file.json` overrides these defaults.
 */
import { z } from 'zod';
import type { SiloName } from './ids.ts';

export const errorKinds = [
  'typo', 'nickname', 'nameSwap', 'compoundSurname', 'maidenName', 'dobDayMonthSwap', 'ssnMissing',
  'ssnWrongDigits', 'phoneFormat', 'missingField', 'staleContact', 'duplicateMrn', 'mergeDuplicate',
  'localLabCode', 'siUnits', 'freeText', 'duplicateLabReport', 'brandName', 'caseNoise',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

export type RateTable = Record<ErrorKind, number>;

export interface ErrorRates {
  /** Rates used by every silo unless overridden. */
  defaults: RateTable;
  /** Per-silo overrides. */
  silos: Partial<Record<SiloName, Partial<RateTable>>>;
}

export const defaultErrorRates: ErrorRates = {
  defaults: {
    typo: 0.02,
    nickname: 0.04,
    nameSwap: 0.01,
    compoundSurname: 0.3,
    maidenName: 0.1,
    dobDayMonthSwap: 0.01,
    ssnMissing: 0.3,
    ssnWrongDigits: 0.01,
    phoneFormat: 0.15,
    missingField: 0.03,
    staleContact: 0.3,
    duplicateMrn: 0.03,
    mergeDuplicate: 0.5,
    localLabCode: 0.85,
    siUnits: 0.15,
    freeText: 0.1,
    duplicateLabReport: 0.05,
    brandName: 0.1,
    caseNoise: 0,
  },
  silos: {
    'ehr-clinic': { ssnMissing: 0.4, staleContact: 0.3, brandName: 0.35 },
    hospital: { nickname: 0.08, nameSwap: 0.02, maidenName: 0.2, ssnMissing: 0.2, staleContact: 0.6 },
    payer: { ssnMissing: 0.02, staleContact: 0.2, typo: 0.01 },
    crm: { typo: 0.04, nickname: 0.25, missingField: 0.1, staleContact: 0.05, caseNoise: 0.1 },
  },
};

/** The effective rate of one kind of error in one silo. */
export function rateFor(rates: ErrorRates, silo: SiloName, kind: ErrorKind): number {
  return rates.silos[silo]?.[kind] ?? rates.defaults[kind];
}

const rate = z.number().min(0).max(1);
const partialTable = z.object(Object.fromEntries(errorKinds.map((k) => [k, rate.optional()]))).strict();
const ratesFile = partialTable
  .extend({
    silos: z
      .object({ 'ehr-clinic': partialTable, hospital: partialTable, payer: partialTable, crm: partialTable, labs: partialTable })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

/**
 * Merges a rates document ({ "typo": 0.05, "silos": { "crm": { "nickname": 0.4 } } }) over
 * the defaults. A top-level key sets that rate in every silo; keys under "silos" then refine it. Throws a one-line message naming the bad key when the document is invalid.
 */
export function mergeErrorRates(input: unknown, base: ErrorRates = defaultErrorRates): ErrorRates {
  const parsed = ratesFile.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid error rates at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { silos: rawSilos, ...rawGlobals } = parsed.data as Record<string, unknown>;
  const globals = rawGlobals as Partial<Record<ErrorKind, number>>;
  const silos = rawSilos as Partial<Record<SiloName, Partial<Record<ErrorKind, number>>>> | undefined;
  const merged: ErrorRates = { defaults: { ...base.defaults }, silos: {} };
  for (const [k, v] of Object.entries(globals)) if (typeof v === 'number') merged.defaults[k as ErrorKind] = v;
  for (const silo of Object.keys({ ...base.silos, ...silos }) as SiloName[]) {
    const overrides: Partial<RateTable> = { ...base.silos[silo] };
    // A global key in the file means "this rate everywhere": it replaces the built-in per-silo value.
    for (const k of Object.keys(globals)) delete overrides[k as ErrorKind];
    for (const [k, v] of Object.entries(silos?.[silo] ?? {})) if (typeof v === 'number') overrides[k as ErrorKind] = v;
    merged.silos[silo] = overrides;
  }
  return merged;
}
