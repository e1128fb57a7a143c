/**
 * Whether a silo learned that a household moved. Each silo record with a move to learn
 * about rolls its staleContact rate: a stale silo keeps the old address and landline forever
 * (the hospital still calls the old number); the others update 1-25 days after the move.
 */
import type { ErrorRecorder } from '../errors.ts';
import type { Household, Residence } from '../types.ts';

export interface ContactKnowledge {
  /** Day the silo switched to the new residence; undefined when it never did. */
  learnDay?: number;
}

export function learnMove(household: Household, errors: ErrorRecorder, recordId: string, endDay: number): ContactKnowledge {
  const moved = household.residences[1];
  if (!moved) return {};
  if (errors.roll('staleContact')) {
    errors.log('staleContact', recordId, 'address', moved.address.line1, household.residences[0]!.address.line1);
    return {};
  }
  return { learnDay: Math.min(endDay, moved.fromDay + errors.rng.int(1, 25)) };
}

/** The residence the silo believes in on a given day. */
export function knownResidence(household: Household, knowledge: ContactKnowledge, day: number): Residence {
  const moved = household.residences[1];
  if (moved && knowledge.learnDay !== undefined && day >= knowledge.learnDay) return moved;
  return household.residences[0]!;
}
