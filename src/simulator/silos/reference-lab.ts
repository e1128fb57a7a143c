/**
 * The reference lab: ORU^R01 results coded in LOINC with US conventional units, for the tests
 * the clinic sends out. The lab knows patients by its own id (PID-3, assigning authority
 * REFLAB); most orders also carry the clinic's MRN as a second PID-3 repetition, as requisitions
 * usually do. Control ids are `RL` + an 8-digit per-person prefix + `R` + the order's sequence.
 */
import type { LabOrder } from '../care-events.ts';
import { hl7Timestamp, isoDate } from '../dates.ts';
import type { IdFactory } from '../ids.ts';
import { labTests } from '../lab-catalog.ts';
import type { Providers } from '../providers.ts';
import { knownResidence, learnMove } from './contact-knowledge.ts';
import { recordDemographics } from './demographics.ts';
import { msh, pid, segment } from './hl7-format.ts';
import { resultSegments } from './hl7-results.ts';
import { addEvidence, type SiloResult, type TimedMessage } from './silo-output.ts';
import type { PersonSiloInput } from './silo-output.ts';

export function labsControlId(ids: IdFactory, personIndex: number, order: LabOrder): string {
  return `${ids.messagePrefix('labs', personIndex)}R${String(order.seq).padStart(3, '0')}`;
}

export interface ReferenceLabInput extends PersonSiloInput {
  providers: Providers;
}

export function renderReferenceLab(input: ReferenceLabInput): { messages: TimedMessage[]; result: SiloResult } {
  const { ctx, ids, person, plan, errors, household, providers } = input;
  const result: SiloResult = { records: [], evidence: new Map(), errors: errors.rows };
  const orders = plan.labs.filter((l) => l.performer === 'labs');
  const messages: TimedMessage[] = [];
  if (orders.length === 0) return { messages, result };
  const labId = ids.labPatientId(person.index);
  const demo = recordDemographics(person, labId, errors, { housePhoneStyle: 'digits', keepsSsn: false });
  const knowledge = learnMove(household, errors, labId, ctx.endDay);
  const withClinicMrn = errors.rng.chance(0.6);
  const orderedBy = providers.clinic[person.index % providers.clinic.length]!;
  let lastMessage = { day: 0, controlId: '' };
  for (const order of orders) {
    const controlId = labsControlId(ids, person.index, order);
    // Results come back the same day or the next morning.
    const reportDay = order.minute > 14 * 60 ? order.day + 1 : order.day;
    const reportMinute = order.minute > 14 * 60 ? 7 * 60 + (order.seq % 60) : order.minute + 180;
    const collected = hl7Timestamp(order.day, order.minute);
    const res = knownResidence(household, knowledge, order.day);
    const identifiers: [string, string, string][] = [[labId, 'REFLAB', 'PI']];
    if (withClinicMrn) identifiers.push([ids.clinicMrn(person.index), 'CLINIC', 'MR']);
    const segments = [
      msh({ sendingApp: 'REFLAB_LIS', sendingFacility: 'REFLAB', receivingApp: 'LONGITUDE', receivingFacility: 'ORG', timestamp: hl7Timestamp(reportDay, reportMinute), messageType: ['ORU', 'R01', 'ORU_R01'], controlId }),
      pid({ identifiers, demo, address: res.address, ...(res.homePhone ? { homePhone: res.homePhone } : {}) }),
      segment('PV1', { 1: '1', 2: 'O' }),
      ...resultSegments(order, `${controlId}P`, `${controlId}F`, collected, hl7Timestamp(reportDay, reportMinute), orderedBy, { codes: 'loinc', recordId: labId, controlId }),
    ];
    messages.push({ day: reportDay, sortKey: `${hl7Timestamp(reportDay, reportMinute)}${controlId}`, segments });
    addEvidence(result.evidence, `lab:${order.seq}`, { silo: 'labs', recordId: labId, type: 'message', id: controlId, date: isoDate(order.day), loinc: labTests[order.test].loinc, messageType: 'ORU^R01' });
    if (reportDay >= lastMessage.day) lastMessage = { day: reportDay, controlId };
  }
  const res = knownResidence(household, knowledge, lastMessage.day);
  result.records.push({
    silo: 'labs', recordId: labId, personId: person.id, address: res.address, ...(res.homePhone ? { homePhone: res.homePhone } : {}),
    contactUpdatedDay: lastMessage.day, contactEvidence: { silo: 'labs', recordId: labId, type: 'message', id: lastMessage.controlId, date: isoDate(lastMessage.day), messageType: 'ORU^R01' },
  });
  return { messages, result };
}
