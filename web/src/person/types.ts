/** Shapes of the person endpoints (/identity/persons/{id}, its timeline) and of signals. */
import type { Address, ContactPoint, HumanName, Identifier } from '../format.ts';

export interface PatientLike {
  resourceType: 'Patient';
  id?: string;
  name?: HumanName[];
  telecom?: ContactPoint[];
  gender?: string;
  birthDate?: string;
  address?: Address[];
  maritalStatus?: { text?: string; coding?: { display?: string; code?: string }[] };
  communication?: { language?: { text?: string; coding?: { display?: string; code?: string }[] }; preferred?: boolean }[];
  identifier?: Identifier[];
  deceasedBoolean?: boolean;
  deceasedDateTime?: string;
  meta?: { source?: string; lastUpdated?: string };
}

export interface ElementProvenance {
  source: string;
  rule: string;
  sourceRecord: string;
  sourceRecords?: string[];
}

export interface PersonDetail {
  person: { id: string; [k: string]: unknown };
  golden: PatientLike | null;
  provenance: Record<string, ElementProvenance | undefined>;
  sources: { reference: string; source: string; resource: PatientLike }[];
  mergedFrom?: string[];
}

export interface TimelineItem {
  ref: string;
  resourceType: string;
  kind: string;
  date?: string;
  display: string;
  status?: string;
  code?: { system?: string; code?: string; display?: string };
  value?: { value: number; unit?: string };
  components?: { code: string; display?: string; value: number; unit?: string }[];
  source: { system?: string; silo?: string };
}

export interface Coverage {
  id?: string;
  status?: string;
  subscriberId?: string;
  identifier?: Identifier[];
  payor?: { display?: string; reference?: string }[];
  class?: { type?: { text?: string; coding?: { code?: string }[] }; value?: string; name?: string }[];
  type?: { text?: string; coding?: { display?: string; code?: string }[] };
  period?: { start?: string; end?: string };
  meta?: { source?: string };
}

export interface Timeline {
  items: TimelineItem[];
  coverage: Coverage[];
  careTeam: { name: string; role?: string; source?: string }[];
  withheld: string[];
}

export interface Signal {
  id: string;
  kind: string;
  priority: 'high' | 'moderate' | 'low';
  title: string;
  explanation: string;
  evidence: { reference: string; sourceSystem: string; display?: string }[];
  facts?: { label: string; value: string; evidence: string[] }[];
  rule: { id: string; version: string };
  actions: { code: string; display: string }[];
  dueBy?: string;
  person: { id: string; patientIds: string[] };
  raisedAt: string;
  lifecycle: { status: string; by: string; at: string; reason?: string; automatic?: boolean; assignee?: string };
}

/** Who works on a signal (`user:<id>`): the hub keeps it with the lifecycle. */
export function assigneeOf(signal: Signal): string | undefined {
  return signal.lifecycle.assignee;
}
