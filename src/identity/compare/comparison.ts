/**
 * A comparison turns one field of a record pair into a level: 0 is the strongest agreement, the
 * last level is disagreement, and MISSING means one side has no value (the field then says
 * nothing, Fellegi & Sunter 1969 §3). Levels are ordered so a pair takes the first that holds.
 */
import type { NormalizedRecord } from '../types.ts';

export const MISSING = -1;

export interface Comparison {
  name: string;
  /** Level labels, strongest agreement first, disagreement ("else") last. */
  levels: readonly string[];
  compare(a: NormalizedRecord, b: NormalizedRecord): number;
  /**
   * For term-frequency adjustment: the value both records agree on at level 0 (exact), so a
   * match on a rare value weighs more than one on a common value.
   */
  agreedTerm?(a: NormalizedRecord, b: NormalizedRecord): string | undefined;
  /**
   * The agreed value can be one the record holds in another field (names compared crosswise), so
   * it is asked per pair rather than taken from the record's own term.
   */
  termMayMove?: boolean;
  /** The values a record contributes to the term-frequency table of this comparison. */
  termsOf?(r: NormalizedRecord): readonly string[];
}
