/**
 * SCH + TQ1 + AIS/AIG/AIL/AIP → Appointment, per the V2-to-FHIR IG's SCH[Appointment],
 * AIS/AIG/AIL/AIP[Appointment] maps: identifiers SCH-1 (placer) and SCH-2 (filler),
 * appointmentType SCH-7 (HL7 table 0276, the value set FHIR binds appointmentType to), times
 * TQ1-7/TQ1-8 (else SCH-11, the pre-2.6 TQ), duration SCH-9/SCH-10, comment from the NTE
 * after SCH, one participant per resource segment.
 *
 * Status: S15 (cancellation) is `cancelled` whatever else the message says; S12–S14 take the
 * filler status SCH-25 (IG FillerStatusCodes[Appointment] map, table 0278), else `booked`.
 * Keyed by the filler appointment id SCH-2 (the scheduler's), else the placer's SCH-1, so
 * S13 (reschedule), S14 (modify) and S15 (cancel) update the appointment S12 booked.
 */
import type { Appointment, AppointmentParticipant, CodeableConcept } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import type { BundleBuilder, Ref } from './bundle-builder.ts';
import { codeableConcept, mapCode } from './coding.ts';
import type { MappingContext } from './context.ts';
import { decimal, locationText, practitionerReference } from './datatypes.ts';
import { eiIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { notes } from './observation.ts';
import { comp, type Seg } from './segments.ts';

type Status = Appointment['status'];
type ParticipantStatus = AppointmentParticipant['status'];

/** Filler status codes (table 0278) → Appointment.status. */
const fillerStatus: Record<string, Status> = {
  BOOKED: 'booked',
  CANCELLED: 'cancelled',
  COMPLETE: 'fulfilled',
  DC: 'cancelled',
  DELETED: 'entered-in-error',
  NOSHOW: 'noshow',
  OVERBOOK: 'booked',
  PENDING: 'pending',
  STARTED: 'arrived',
  WAITLIST: 'waitlist',
};
/** The same codes on a resource segment (AIS-10, AIG-14, AIL-12, AIP-12) → participant status. */
const participantStatus: Record<string, ParticipantStatus> = {
  BOOKED: 'accepted',
  OVERBOOK: 'accepted',
  STARTED: 'accepted',
  COMPLETE: 'accepted',
  CANCELLED: 'declined',
  DC: 'declined',
  DELETED: 'declined',
  NOSHOW: 'declined',
  PENDING: 'tentative',
  WAITLIST: 'tentative',
};
/** Duration units (SCH-10, AIS-8 …) → minutes per unit. */
const minutesPer: Record<string, number> = { S: 1 / 60, SEC: 1 / 60, MIN: 1, M: 1, H: 60, HR: 60, D: 1440 };

/** The resource segments and where each keeps its resource, type and filler status. */
const resourceFields: Record<string, { resource: number; type?: number; status: number }> = {
  AIS: { resource: 3, status: 10 },
  AIG: { resource: 3, type: 4, status: 14 },
  AIL: { resource: 3, type: 4, status: 12 },
  AIP: { resource: 3, type: 4, status: 12 },
};

function minutes(amount: string | undefined, units: string | undefined): number | undefined {
  const value = decimal(amount);
  const factor = minutesPer[(units ?? 'MIN').toUpperCase()];
  if (value === undefined || factor === undefined) return undefined;
  const result = Math.round(value * factor);
  return result > 0 ? result : undefined;
}

function participant(seg: Seg, ctx: MappingContext): AppointmentParticipant | undefined {
  const fields = resourceFields[seg.name]!;
  const rep = seg.rep(fields.resource);
  let actor: Ref | undefined;
  if (seg.name === 'AIP') actor = practitionerReference(rep, ctx);
  else if (seg.name === 'AIL') actor = locationText(rep) ? { type: 'Location', display: locationText(rep)! } : undefined;
  else if (seg.name === 'AIG') actor = comp(rep, 1) || comp(rep, 2) ? { type: 'Device', display: comp(rep, 2) ?? comp(rep, 1)! } : undefined;
  if (!actor) return undefined;
  const type = fields.type ? codeableConcept(seg.rep(fields.type)) : undefined;
  const status = mapCode(seg.text(fields.status)?.toUpperCase(), participantStatus) ?? 'tentative';
  return { ...(type ? { type: [type] } : {}), actor, status };
}

/** When the appointment is: TQ1-7/8, else SCH-11.4/11.5; the end from the duration when only the start is sent. */
function timing(sch: Seg, tq1: Seg | undefined, ctx: MappingContext, duration: number | undefined): { start?: string; end?: string } {
  const start = (tq1 ? ctx.dateTime(tq1, 7) : undefined) ?? ctx.dateTime(sch, 11, 4);
  let end = (tq1 ? ctx.dateTime(tq1, 8) : undefined) ?? ctx.dateTime(sch, 11, 5);
  if (start && !end && duration !== undefined && start.includes('T')) end = addMinutes(start, duration);
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/** Adds minutes to a FHIR dateTime, keeping its offset (wall-clock arithmetic at a fixed offset). */
function addMinutes(dateTime: string, add: number): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(dateTime);
  if (!m) return undefined;
  return `${new Date(Date.parse(`${m[1]}Z`) + add * 60_000).toISOString().slice(0, 19)}${m[2]}`;
}

/** The NTE segments right after SCH (TQ1 may come between): the appointment's comments. */
function schNotes(segments: readonly Seg[]): Seg[] {
  const found: Seg[] = [];
  for (const s of segments.slice(segments.findIndex((x) => x.name === 'SCH') + 1)) {
    if (s.name === 'NTE') found.push(s);
    else if (s.name !== 'TQ1') break;
  }
  return found;
}

/** SCH and the segments after it → Appointment, not yet keyed. */
export function appointmentFromSch(segments: readonly Seg[], ctx: MappingContext, patient: Ref): Appointment {
  const sch = segments.find((s) => s.name === 'SCH')!;
  const tq1 = segments.find((s) => s.name === 'TQ1');
  const placer = eiIdentifier(sch.rep(1), ctx, { type: 'PLAC', defaultSystem: localSystem(ctx, 'sch-1') });
  const filler = eiIdentifier(sch.rep(2), ctx, { type: 'FILL', defaultSystem: localSystem(ctx, 'sch-2') });
  const status: Status = ctx.trigger === 'S15' ? 'cancelled' : (mapCode(sch.text(25)?.toUpperCase(), fillerStatus) ?? 'booked');
  const duration = minutes(sch.text(9), sch.text(10)) ?? minutes(segments.find((s) => s.name === 'AIS')?.text(7), segments.find((s) => s.name === 'AIS')?.text(8));
  const when = timing(sch, tq1, ctx, duration);
  // app-3: only proposed or cancelled appointments may lack a start and end.
  if ((!when.start || !when.end) && status !== 'cancelled' && status !== 'proposed' && status !== 'waitlist') {
    throw new HandlerError({ stage: 'map', code: 'missing-appointment-time', message: 'a booked appointment needs its start and end (TQ1-7/TQ1-8, SCH-11)', element: tq1 ? tq1.element(7) : sch.element(11) });
  }
  const comments = notes(schNotes(segments));
  const serviceType = segments.filter((s) => s.name === 'AIS').map((s) => codeableConcept(s.rep(3))).filter((c): c is CodeableConcept => !!c);
  const others = segments.filter((s) => s.name in resourceFields && s.name !== 'AIS').map((s) => participant(s, ctx)).filter((p) => p !== undefined);
  const type = codeableConcept(sch.rep(7), { table: '0276' });
  const reason = codeableConcept(sch.rep(6));
  return {
    resourceType: 'Appointment',
    identifier: [placer, filler].filter((i) => i !== undefined),
    status,
    ...(serviceType.length > 0 ? { serviceType } : {}),
    ...(type ? { appointmentType: type } : {}),
    ...(reason ? { reasonCode: [reason] } : {}),
    ...when,
    ...(duration !== undefined ? { minutesDuration: duration } : {}),
    ...(comments.length > 0 ? { comment: comments.map((n) => n.text).join('\n') } : {}),
    participant: [{ actor: patient, status: 'accepted' }, ...others],
  };
}

export function addAppointment(ctx: MappingContext, builder: BundleBuilder, appointment: Appointment): Ref {
  const ids = appointment.identifier ?? [];
  const key = ids.find((i) => i.type?.coding?.[0]?.code === 'FILL') ?? ids[0] ?? localIdentifier(ctx, 'SCH', ctx.controlId);
  return builder.add(appointment, key, 'upsert', 'same');
}
