/**
 * The simulator's labelled signals (`truth/signals.json` of a simulated organization, written
 * by `longitude simulate`; format in docs/simulator.md) and the way each one, and each signal
 * we raise, is named for comparison: a *key* per finding that both sides can compute, so that
 * precision and recall are set operations.
 *
 * The simulator names kinds and findings in its own words: `discharge-no-follow-up` for our
 * `discharge-without-follow-up`, a care gap by the screening it misses rather than by the eCQM
 * that finds it. Where it models only part of a kind (care gaps of three measures, the 7-day
 * follow-up window), what it does not model is left out of the scoring and counted as such,
 * never counted against us or for us.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LongitudeError } from '../../../platform/errors.ts';
import { testWindows } from '../kinds/duplicate-test-windows.ts';
import { addDays, isoDay } from '../record-dates.ts';
import type { Signal } from '../signal.ts';

export interface TruthSignal {
  id: string;
  personId: string;
  kind: string;
  code: string;
  reasons: string[];
  details?: Record<string, unknown>;
}

export interface SignalTruth {
  measurementPeriod: { start: string; end: string };
  signals: TruthSignal[];
}

/** A finding named for comparison: `key` is unique within the kind for one finding. */
export interface KeyedFinding {
  /** The simulator's kind name. */
  kind: string;
  key: string;
}

/** The kinds the simulator labels, by its names (ours: `discharge-without-follow-up` for `discharge-no-follow-up`). */
export const scoredKinds = ['care-gap', 'duplicate-test', 'medication-conflict', 'discharge-no-follow-up', 'contact-drift'] as const;

/** The eCQM that raises each care gap the simulator labels (docs/signals.md, care gaps). */
const careGapMeasures: Record<string, string> = {
  'breast-cancer-screening': 'CMS125',
  'colorectal-cancer-screening': 'CMS130',
  'diabetes-hba1c': 'CMS122',
};

/** The simulator's contact fields by our contact-drift channels. */
const contactFields: Record<string, string> = { homePhone: 'phone', phone: 'phone', mobile: 'mobile', address: 'address', email: 'email' };

export function truthKey(signal: TruthSignal): KeyedFinding | undefined {
  const d = signal.details ?? {};
  switch (signal.kind) {
    case 'care-gap': {
      const measure = careGapMeasures[signal.code];
      return measure ? { kind: signal.kind, key: `${signal.personId}|${measure}` } : undefined;
    }
    case 'duplicate-test':
      return { kind: signal.kind, key: `${signal.personId}|${String(d.loinc)}|${String(d.date)}` };
    case 'medication-conflict':
      return { kind: signal.kind, key: `${signal.personId}|${signal.code}` };
    case 'discharge-no-follow-up':
      return { kind: signal.kind, key: `${signal.personId}|${String(d.dischargeDate)}` };
    case 'contact-drift':
      return { kind: signal.kind, key: `${signal.personId}|${contactFields[String(d.field ?? signal.code)] ?? signal.code}` };
    default:
      return undefined;
  }
}

/**
 * Our signal named as the simulator would name it, for the person it stands for; undefined
 * when the simulator does not model that finding (a CMS165 care gap, the 30-day follow-up, a
 * 7-day follow-up whose week has not ended on `asOf`: we raise it at discharge, while it can
 * still be booked; the simulator labels only weeks that have passed).
 * @param asOf - YYYY-MM-DD, the day the signals were computed for
 */
export function ourKey(signal: Pick<Signal, 'kind' | 'key' | 'dueBy'>, personId: string, asOf = '9999-12-31'): KeyedFinding | undefined {
  const head = signal.key.split('|', 1)[0]!;
  switch (signal.kind) {
    case 'care-gap':
      return Object.values(careGapMeasures).includes(head) ? { kind: 'care-gap', key: `${personId}|${head}` } : undefined;
    case 'duplicate-test': {
      // Our key names the test window and the day of the repeat (`HbA1c|2026-03-02`); the
      // window's first LOINC is the test's own code.
      const day = signal.key.slice(head.length + 1);
      return { kind: 'duplicate-test', key: `${personId}|${testWindows.find((w) => w.name === head)?.loinc[0] ?? head}|${day}` };
    }
    case 'medication-conflict':
      return { kind: 'medication-conflict', key: `${personId}|${medicationConflictCodes[head] ?? head}` };
    case 'discharge-without-follow-up': {
      if (head !== '7d' || !signal.dueBy || signal.dueBy > asOf) return undefined;
      return { kind: 'discharge-no-follow-up', key: `${personId}|${isoDay(addDays(new Date(`${signal.dueBy}T00:00:00Z`), -7))}` };
    }
    case 'contact-drift':
      return { kind: 'contact-drift', key: `${personId}|${contactFields[head] ?? head}` };
    case 'readmission-risk':
      // A risk score, not a finding the simulator labels.
      return undefined;
  }
}

/** Our medication-conflict keys (`dose-mismatch|<ingredient>`) in the simulator's codes. */
const medicationConflictCodes: Record<string, string> = { 'dose-mismatch': 'dose-mismatch', 'duplicate-therapy': 'therapeutic-duplication', 'therapeutic-duplication': 'therapeutic-duplication' };

/** `truth/signals.json` of a simulated organization. */
export function readSignalTruth(datasetDir: string): SignalTruth {
  const parsed = JSON.parse(readFileSync(join(datasetDir, 'truth', 'signals.json'), 'utf8')) as Partial<SignalTruth>;
  if (!parsed.measurementPeriod?.start || !parsed.measurementPeriod.end || !Array.isArray(parsed.signals)) {
    throw new LongitudeError('LNG_BAD_REQUEST', `${join(datasetDir, 'truth', 'signals.json')} is not the simulator's signal truth (measurementPeriod and signals expected)`);
  }
  return parsed as SignalTruth;
}
