/**
 * What a silo renderer hands back for one person: the text it emits (files, messages, rows),
 * the records it holds about the person with the contact details each record ends up with,
 * and pointers to the evidence (resource ids, message control ids, claim ids) behind each care
 * event, so truth/ can cite exactly what the silo files carry.
 */
import type { CarePlan } from '../care-events.ts';
import type { ErrorRecorder, ErrorRow } from '../errors.ts';
import type { IdFactory, SiloName } from '../ids.ts';
import type { Address, Household, Person, SimulationContext } from '../types.ts';

/** What every silo renderer is handed for one person. */
export interface PersonSiloInput {
  ctx: SimulationContext;
  ids: IdFactory;
  person: Person;
  household: Household;
  plan: CarePlan;
  errors: ErrorRecorder;
}

export interface SiloRecordView {
  silo: SiloName;
  recordId: string;
  personId: string;
  /** Clean form of the contact details the record holds at the end of the period. */
  address?: Address;
  homePhone?: string;
  /** Day those contact details were last updated in this record. */
  contactUpdatedDay: number;
  /** Where the record's latest contact details can be read (message control id, resource, row). */
  contactEvidence: EvidenceRef;
}

export interface EvidenceRef {
  silo: SiloName;
  /** The person-level record id (MRN, member id, contact id, lab patient id). */
  recordId: string;
  /** What kind of thing `id` names. */
  type: 'resource' | 'message' | 'claim' | 'enrollment' | 'contact';
  /** Resource reference (Patient/C123), MSH-10 control id, claim id, or the record id for rows. */
  id: string;
  date?: string;
  loinc?: string;
  messageType?: string;
}

/** HL7 message for the day-sorted writer: the key orders messages within a day. */
export interface TimedMessage {
  day: number;
  sortKey: string;
  segments: string[];
}

export interface SiloResult {
  records: SiloRecordView[];
  /** Evidence per care event: keys like 'lab:12', 'stay:3', 'visit:5', 'med:7', 'screen:9', 'cond:diabetes'. */
  evidence: Map<string, EvidenceRef[]>;
  errors: ErrorRow[];
}

export function addEvidence(map: Map<string, EvidenceRef[]>, key: string, ref: EvidenceRef): void {
  const list = map.get(key);
  if (list) list.push(ref);
  else map.set(key, [ref]);
}
