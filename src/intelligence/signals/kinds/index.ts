/** Every signal kind, in the order they run. Adding a kind: one file here and one line below. */
import type { SignalKind, SignalKindId } from '../signal.ts';
import { careGap } from './care-gap.ts';
import { contactDriftKind } from './contact-drift.ts';
import { dischargeWithoutFollowUp } from './discharge-without-follow-up.ts';
import { duplicateTest } from './duplicate-test.ts';
import { medicationConflict } from './medication-conflict.ts';
import { readmissionRisk } from './readmission-risk.ts';

export const signalKindRegistry: readonly SignalKind[] = [careGap, duplicateTest, medicationConflict, dischargeWithoutFollowUp, readmissionRisk, contactDriftKind];

export function signalKindById(id: SignalKindId): SignalKind {
  return signalKindRegistry.find((k) => k.id === id)!;
}
