/**
 * ADT^A40 (merge patient, patient identifier list) → an update of the surviving Patient that
 * records the merge request. It does NOT merge.
 *
 * Why not: merging is the identity layer's decision (which record survives, what moves, who
 * reviews it), and a source system's merge is one input to it, not an order. So:
 * - the surviving Patient (PID) is upserted like any ADT's, and
 * - it gets `Patient.link` of type `seealso` to the prior record, a logical reference by the
 *   prior identifier (MRG-1). FHIR's `replaces` would claim that this record has already
 *   absorbed the other one in our store, which is exactly what has not happened;
 *   `seealso` says "the sender tells us this is the same person", which is what is known.
 * - The prior identifier stays out of Patient.identifier: the old record still carries it, and
 *   two Patients with one identifier would make every later message about it ambiguous.
 * The Provenance of the message (MSH-10 and the message store id) keeps the request traceable,
 * and the Patient update is an outbox event the identity layer consumes.
 */
import type { Patient, PatientLink } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import type { BundleBuilder } from './bundle-builder.ts';
import type { MappingContext } from './context.ts';
import { cxIdentifier, localSystem } from './identifiers.ts';
import { patientFromPid } from './patient.ts';
import { allSegments, groupSegments } from './segments.ts';

/** Maps every PID/MRG pair of an A40 (the patient group repeats) to a Patient update with its link. */
export function addMergeRequests(ctx: MappingContext, builder: BundleBuilder): void {
  const groups = groupSegments(allSegments(ctx.message), ['PID']);
  if (groups.length === 0) throw new HandlerError({ stage: 'map', code: 'missing-segment', message: 'the message has no PID segment', element: 'PID' });
  for (const group of groups) {
    const pid = group[0]!;
    const mrg = group.find((s) => s.name === 'MRG');
    if (!mrg) throw new HandlerError({ stage: 'map', code: 'missing-segment', message: `${pid.element(1).replace(/-1$/, '')} has no MRG segment`, element: 'MRG' });
    const patient = patientFromPid(pid, ctx, group.find((s) => s.name === 'PD1'));
    const key = patient.identifier?.[0];
    if (!key?.value) throw new HandlerError({ stage: 'map', code: 'missing-patient-identifier', message: 'PID-3 holds no patient identifier', element: pid.element(3) });
    const links: PatientLink[] = mrg
      .reps(1)
      .map((rep) => cxIdentifier(rep, ctx, { element: mrg.element(1), defaultSystem: localSystem(ctx, 'pid-3') }))
      .filter((i) => i !== undefined)
      .map((identifier) => ({ other: { type: 'Patient', identifier, display: `prior patient record ${identifier.value} (MRG-1), merge requested by ${ctx.message.messageType.code}^${ctx.trigger} ${ctx.controlId}` }, type: 'seealso' }));
    if (links.length === 0) throw new HandlerError({ stage: 'map', code: 'missing-field', message: 'MRG-1 (prior patient identifier list) is required', element: mrg.element(1) });
    const survivor: Patient = { ...patient, link: links };
    builder.add(survivor, key, 'upsert', 'same');
  }
}
