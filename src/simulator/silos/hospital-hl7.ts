/**
 * The hospital feed: HL7 v2.5.1 messages about one person, as the hospital's interface engine
 * would send them. ADT^A01 admit, A04 register (ED and outpatient), A03 discharge, A08 / A31
 * demographic updates, A40 merges of its own duplicate MRNs, ORU^R01 results with the lab's
 * local codes and units, SIU^S12 appointment bookings. Message control ids (MSH-10) are
 * `HM` + an 8-digit per-person prefix + an event letter + the event's sequence number, so they
 * are unique without any global counter and computable by truth/.
 */
import type { CarePlan, LabOrder, Stay } from '../care-events.ts';
import { hl7Timestamp, isoDate } from '../dates.ts';
import type { IdFactory } from '../ids.ts';
import { labTests } from '../lab-catalog.ts';
import type { Providers } from '../providers.ts';
import type { Rng } from '../random.ts';
import type { SimulationContext } from '../types.ts';
import { knownResidence, learnMove } from './contact-knowledge.ts';
import { recordDemographics, type RecordedDemographics } from './demographics.ts';
import { components, evn, msh, pid, segment } from './hl7-format.ts';
import { resultSegments } from './hl7-results.ts';
import { addEvidence, type SiloResult, type TimedMessage } from './silo-output.ts';
import type { PersonSiloInput } from './silo-output.ts';

type Registration =
  | { kind: 'stay'; day: number; minute: number; stay: Stay; labs: LabOrder[] }
  | { kind: 'lab-draw'; day: number; minute: number; order: LabOrder }
  | { kind: 'mammography'; day: number; minute: number; seq: number }
  | { kind: 'forwarded-result'; day: number; minute: number; order: LabOrder };

export interface HospitalInput extends PersonSiloInput {
  providers: Providers;
  /** Lab control ids of the reference lab, for results the hospital also reports. */
  labsControlId?: (order: LabOrder) => string;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** The hospital's control id for an event: letter says which (A admit, D discharge, R result...). */
export function hospitalControlId(ids: IdFactory, personIndex: number, letter: string, seq: number): string {
  return `${ids.messagePrefix('hospital', personIndex)}${letter}${pad3(seq)}`;
}

function registrationsOf(plan: CarePlan, ctx: SimulationContext, forwarded: LabOrder[]): Registration[] {
  const regs: Registration[] = [];
  for (const stay of plan.stays) regs.push({ kind: 'stay', day: stay.admitDay, minute: stay.admitMinute, stay, labs: plan.labs.filter((l) => l.stay === stay.seq) });
  for (const order of plan.labs) if (order.performer === 'hospital' && order.stay === undefined) regs.push({ kind: 'lab-draw', day: order.day, minute: order.minute, order });
  for (const s of plan.screenings) if (s.kind === 'mammography' && s.day >= ctx.startDay) regs.push({ kind: 'mammography', day: s.day, minute: 9 * 60 + (s.seq % 8) * 30, seq: s.seq });
  for (const order of forwarded) regs.push({ kind: 'forwarded-result', day: order.day, minute: order.minute, order });
  return regs.sort((a, b) => a.day - b.day || a.minute - b.minute);
}

/** Renders everything the hospital knows about one person. */
export function renderHospital(input: HospitalInput): { messages: TimedMessage[]; result: SiloResult } {
  const { ctx, ids, person, plan, errors, household, providers } = input;
  const rng: Rng = errors.rng;
  const result: SiloResult = { records: [], evidence: new Map(), errors: errors.rows };
  const forwarded = input.labsControlId ? plan.labs.filter((l) => l.performer === 'labs' && errors.roll('duplicateLabReport')) : [];
  const regs = registrationsOf(plan, ctx, forwarded);
  const messages: TimedMessage[] = [];
  if (regs.length === 0) return { messages, result };

  const primary = ids.hospitalMrn(person.index);
  const duplicate = ids.hospitalMrn(person.index, true);
  const splitAt = regs.length >= 2 && errors.roll('duplicateMrn') ? rng.int(1, regs.length - 1) : regs.length;
  if (splitAt < regs.length) errors.log('duplicateMrn', duplicate, 'PID-3', primary, duplicate);
  const demo = new Map<string, RecordedDemographics>();
  const demoOf = (mrn: string) => {
    let d = demo.get(mrn);
    if (!d) demo.set(mrn, (d = recordDemographics(person, mrn, errors, { housePhoneStyle: 'parens', keepsSsn: true })));
    return d;
  };
  const knowledge = learnMove(household, errors, primary, ctx.endDay);
  const last = new Map<string, { day: number; controlId: string; messageType: string }>();
  const provider = (n: number) => providers.hospital[(person.index + n) % providers.hospital.length]!;
  const visitNumber = (seq: number) => `V${ids.messagePrefix('hospital', person.index).slice(2)}${pad3(seq)}`;

  const emit = (mrn: string, day: number, minute: number, letter: string, seq: number, type: readonly [string, string, string], body: string[]): string => {
    const controlId = hospitalControlId(ids, person.index, letter, seq);
    const ts = hl7Timestamp(day, Math.min(1439, Math.max(0, minute)));
    const res = knownResidence(household, knowledge, day);
    const died = type[1] === 'A03' && body.some((s) => s.startsWith('PV1') && s.split('|')[36] === '20');
    const segs = [msh({ sendingApp: 'HOSP_ADT', sendingFacility: 'GENERAL_HOSPITAL', receivingApp: 'LONGITUDE', receivingFacility: 'ORG', timestamp: ts, messageType: type, controlId })];
    if (type[0] === 'ADT') segs.push(evn(type[1], ts));
    // SIU_S12 puts SCH before PID; every other structure here has PID right after MSH/EVN.
    if (type[0] === 'SIU') segs.push(body.shift()!);
    segs.push(pid({
      identifiers: [[mrn, 'GENHOSP', 'MR']], demo: demoOf(mrn), address: res.address,
      ...(res.homePhone ? { homePhone: res.homePhone } : {}), ...(died && person.deathDay !== undefined ? { deathDay: person.deathDay } : {}),
    }));
    segs.push(...body);
    messages.push({ day, sortKey: `${ts}${controlId}`, segments: segs });
    last.set(mrn, { day, controlId, messageType: `${type[0]}^${type[1]}` });
    return controlId;
  };
  const pv1 = (cls: string, seq: number, admit: string, extra: Record<number, string> = {}) =>
    segment('PV1', { 1: '1', 2: cls, 3: components(cls === 'I' ? 'MED' : cls === 'E' ? 'ED' : 'OP', '', '', 'GENHOSP'), 7: components(provider(seq).npi, provider(seq).family, provider(seq).given), 19: visitNumber(seq), 44: admit, ...extra });
  /**
   * @param stay - the inpatient stay or emergency visit the order was drawn in: its result names
   * that visit in PV1 (PV1-19 visit number, PV1-44 admit time), as a result message does for an
   * order of an open visit (HL7 v2.5.1 section 3.4.3). Without it, a result of a stay's order
   * named a visit of its own, which a receiver records as another encounter, never discharged.
   */
  const result_ = (mrn: string, order: LabOrder, cls: string, letter: string, reportDay: number, reportMinute: number, stay?: { seq: number; admit: string }) => {
    const controlId = hospitalControlId(ids, person.index, letter, order.seq);
    const collected = hl7Timestamp(order.day, order.minute);
    const body = [pv1(cls, stay?.seq ?? order.seq, stay?.admit ?? collected), ...resultSegments(order, `${visitNumber(order.seq)}P`, `GH${visitNumber(order.seq).slice(1)}`, collected, hl7Timestamp(reportDay, reportMinute), provider(order.seq), { codes: 'local', errors, recordId: mrn, controlId })];
    emit(mrn, reportDay, reportMinute, letter, order.seq, ['ORU', 'R01', 'ORU_R01'], body);
    return controlId;
  };

  regs.forEach((reg, i) => {
    const mrn = i >= splitAt ? duplicate : primary;
    switch (reg.kind) {
      case 'stay': {
        const s = reg.stay;
        const cls = s.kind === 'inpatient' ? 'I' : 'E';
        const admit = hl7Timestamp(s.admitDay, s.admitMinute);
        const a = emit(mrn, s.admitDay, s.admitMinute, 'A', s.seq, s.kind === 'inpatient' ? ['ADT', 'A01', 'ADT_A01'] : ['ADT', 'A04', 'ADT_A01'], [pv1(cls, s.seq, admit), segment('DG1', { 1: '1', 3: components(s.reason.icd10, s.reason.display, 'I10'), 6: 'A' })]);
        addEvidence(result.evidence, `stay:${s.seq}`, { silo: 'hospital', recordId: mrn, type: 'message', id: a, date: isoDate(s.admitDay), messageType: s.kind === 'inpatient' ? 'ADT^A01' : 'ADT^A04' });
        for (const order of reg.labs) {
          const id = result_(mrn, order, cls, 'R', order.day, Math.min(1439, order.minute + 90), { seq: s.seq, admit });
          addEvidence(result.evidence, `lab:${order.seq}`, { silo: 'hospital', recordId: mrn, type: 'message', id, date: isoDate(order.day), loinc: labTests[order.test].loinc, messageType: 'ORU^R01' });
        }
        const discharge = hl7Timestamp(s.dischargeDay, s.dischargeMinute);
        const d = emit(mrn, s.dischargeDay, s.dischargeMinute, 'D', s.seq, ['ADT', 'A03', 'ADT_A03'], [pv1(cls, s.seq, admit, { 36: s.expired ? '20' : '01', 45: discharge })]);
        addEvidence(result.evidence, `stay:${s.seq}`, { silo: 'hospital', recordId: mrn, type: 'message', id: d, date: isoDate(s.dischargeDay), messageType: 'ADT^A03' });
        break;
      }
      case 'lab-draw': {
        const o = reg.order;
        const bookDay = o.day - rng.int(2, 14);
        if (bookDay >= ctx.startDay) emit(mrn, bookDay, 600 + (o.seq % 300), 'S', o.seq, ['SIU', 'S12', 'SIU_S12'], schedule(o.seq, o.day, o.minute, 'LAB', 'Outpatient lab draw'));
        emit(mrn, o.day, Math.max(0, o.minute - 15), 'O', o.seq, ['ADT', 'A04', 'ADT_A01'], [pv1('O', o.seq, hl7Timestamp(o.day, o.minute))]);
        const id = result_(mrn, o, 'O', 'R', o.day, Math.min(1439, o.minute + rng.int(60, 300)));
        addEvidence(result.evidence, `lab:${o.seq}`, { silo: 'hospital', recordId: mrn, type: 'message', id, date: isoDate(o.day), loinc: labTests[o.test].loinc, messageType: 'ORU^R01' });
        break;
      }
      case 'mammography': {
        const bookDay = reg.day - rng.int(7, 30);
        if (bookDay >= ctx.startDay) emit(mrn, bookDay, 600 + (reg.seq % 300), 'S', reg.seq, ['SIU', 'S12', 'SIU_S12'], schedule(reg.seq, reg.day, reg.minute, 'RAD', 'Screening mammography'));
        emit(mrn, reg.day, reg.minute, 'O', reg.seq, ['ADT', 'A04', 'ADT_A01'], [pv1('O', reg.seq, hl7Timestamp(reg.day, reg.minute), { 10: 'RAD' })]);
        break;
      }
      case 'forwarded-result': {
        // The same specimen and value the reference lab reported, forwarded into the hospital's
        // lab system: a duplicate report, not a repeated test (same collection time).
        const id = result_(mrn, reg.order, 'O', 'X', reg.order.day + 1, 8 * 60 + (reg.order.seq % 120));
        errors.log('duplicateLabReport', mrn, `lab:${reg.order.seq}`, input.labsControlId!(reg.order), id);
        break;
      }
    }
  });

  // Demographic update after the move: A08 (update patient information) or A31 (update person).
  const moved = household.residences[1];
  if (moved && knowledge.learnDay !== undefined) {
    const before = [...last.entries()].filter(([, m]) => m.day <= knowledge.learnDay!);
    const target = before[before.length - 1];
    if (target && target[1].day < knowledge.learnDay) {
      const a31 = rng.chance(0.5);
      emit(target[0], knowledge.learnDay, 600 + (person.index % 400), 'U', 1, a31 ? ['ADT', 'A31', 'ADT_A05'] : ['ADT', 'A08', 'ADT_A01'], [pv1('O', 0, '')]);
    }
  }
  if (splitAt < regs.length && errors.roll('mergeDuplicate')) {
    const lastDay = Math.max(...[...last.values()].map((m) => m.day));
    const day = Math.min(ctx.endDay, lastDay + rng.int(1, 30));
    if (day > lastDay) emit(primary, day, 700, 'M', 1, ['ADT', 'A40', 'ADT_A39'], [segment('MRG', { 1: components(duplicate, '', '', 'GENHOSP', 'MR') })]);
  }

  for (const [mrn, m] of last) {
    const res = knownResidence(household, knowledge, m.day);
    result.records.push({
      silo: 'hospital', recordId: mrn, personId: person.id, address: res.address, ...(res.homePhone ? { homePhone: res.homePhone } : {}),
      contactUpdatedDay: m.day, contactEvidence: { silo: 'hospital', recordId: mrn, type: 'message', id: m.controlId, date: isoDate(m.day), messageType: m.messageType },
    });
  }
  return { messages, result };

  function schedule(seq: number, day: number, minute: number, resource: string, reason: string): string[] {
    // SIU^S12 (v2.5.1 chapter 10): SCH-1/2 appointment ids, SCH-7 reason, SCH-11 timing
    // (start^end in TQ components 4-5), SCH-25 filler status; RGS resource group; AIL location.
    const start = hl7Timestamp(day, minute);
    const end = hl7Timestamp(day, Math.min(1439, minute + 30));
    return [
      segment('SCH', { 1: `${visitNumber(seq)}A`, 2: `${visitNumber(seq)}B`, 7: components('', reason), 11: components('', '', '', start, end), 25: 'Booked' }),
      segment('RGS', { 1: '1', 2: 'A' }),
      segment('AIL', { 1: '1', 2: 'A', 3: components(resource, '', '', 'GENHOSP') }),
    ];
  }
}
