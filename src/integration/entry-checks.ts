/**
 * What happens to every mapped Bundle between its handler and the record, whatever the
 * channel (HL7 v2, CSV, C-CDA, FHIR files): normalization (local codes to LOINC, units to UCUM,
 * drugs to ingredients, free text to structured values; originals kept beside) and the
 * data-quality checks, whose findings commit in the same transaction as the data they
 * describe and are counted on /metrics once it has committed.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { normalizeBundle, type NormalizationTables } from './normalize/index.ts';
import { checkBundleQuality, countQualityChecks, type QualityMetrics, type QualityRecord } from './quality/index.ts';

export interface EntryOrigin {
  /** The sending system, as the normalization tables and the quality report name it. */
  source: string;
  channel: string;
  messageId: number;
}

export interface PreparedEntry {
  bundle: Bundle;
  /** What the checks found: store it in the processing transaction (recordQualityChecksOfMany). */
  quality: QualityRecord;
  /** Counts the findings; call once the transaction has committed. */
  committed(): void;
}

export type EntryChecks = (bundle: Bundle, origin: EntryOrigin) => PreparedEntry;

export function createEntryChecks(deps: { tables?: NormalizationTables; metrics?: QualityMetrics; now?: () => Date }): EntryChecks {
  return (mapped, origin) => {
    const { bundle } = normalizeBundle(mapped, { source: origin.source, ...(deps.tables ? { tables: deps.tables } : {}) });
    const checks = checkBundleQuality(bundle, deps.now ? { now: deps.now() } : {});
    return {
      bundle,
      quality: { origin, checks },
      committed: () => {
        if (deps.metrics) countQualityChecks(deps.metrics, origin.source, checks);
      },
    };
  };
}
