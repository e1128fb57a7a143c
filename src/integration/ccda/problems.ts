/**
 * Problem Observation (2.16.840.1.113883.10.20.22.4.4) → Condition, following the C-CDA on FHIR
 * "Problems" map: the problem is the observation's value (its code says problem, diagnosis,
 * finding …), effectiveTime low/high → onset/abatement, Problem Status (4.6) → clinicalStatus,
 * negationInd → verificationStatus refuted. A Problem Concern Act (4.3) makes problem-list items;
 * the acts that wrap problems elsewhere (encounter, admission, discharge, pre-/post-operative
 * diagnoses) make encounter diagnoses.
 */
import type { CodeableConcept, Condition, Reference } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { idKey, toCodeableConcept, toDateTime, toIdentifiers, toPeriod } from './cda-datatypes.ts';
import { child, children, descend, type CdaNode } from './cda-xml.ts';
import { negated, nested, nestedValue, reportUnread, statusOf } from './entries.ts';
import { authorReferences } from './participants.ts';

export const PROBLEM_CONCERN = '2.16.840.1.113883.10.20.22.4.3';
export const PROBLEM_OBSERVATION = '2.16.840.1.113883.10.20.22.4.4';
/** Acts that wrap Problem Observations as diagnoses: encounter (4.80), admission (4.34), discharge (4.33), pre-/post-operative (4.65, 4.51), hospital discharge (4.33). */
export const DIAGNOSIS_ACTS = ['2.16.840.1.113883.10.20.22.4.80', '2.16.840.1.113883.10.20.22.4.34', '2.16.840.1.113883.10.20.22.4.33', '2.16.840.1.113883.10.20.22.4.65', '2.16.840.1.113883.10.20.22.4.51'];
const PROBLEM_STATUS = '2.16.840.1.113883.10.20.22.4.6';
/** Nested statements a Problem Observation may carry that have no Condition element: age, prognosis, priority. */
const READ_ELSEWHERE = [PROBLEM_STATUS];

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
/** C-CDA on FHIR ConceptMap CF-ConditionClinicalStatus: the concern act's statusCode, used only when no Problem Status (4.6) says it. */
const CONCERN_STATUS: Record<string, string> = { active: 'active', completed: 'inactive', suspended: 'inactive', aborted: 'inactive' };
/** Statuses FHIR does not allow beside an abatement (con-4); C-CDA on FHIR "Problems" suggests inactive instead. */
const ONGOING = ['active', 'recurrence', 'relapse'];
const STATUS: Record<string, string> = { '55561003': 'active', '73425007': 'inactive', '413322009': 'resolved', '246455001': 'recurrence', '263855007': 'relapse', '277022003': 'remission' };

/** A concern or diagnosis act → one Condition per Problem Observation in it. */
export function mapProblemAct(ctx: CcdaContext, act: CdaNode, category: 'problem-list-item' | 'encounter-diagnosis'): void {
  const observations = nested(act, PROBLEM_OBSERVATION);
  if (observations.length === 0) ctx.report(act.path, 'problem act without a Problem Observation');
  reportUnread(ctx, act, [PROBLEM_OBSERVATION], 'problem act');
  for (const observation of observations) mapProblemObservation(ctx, observation, category, act);
}

export function mapProblemObservation(ctx: CcdaContext, observation: CdaNode, category: 'problem-list-item' | 'encounter-diagnosis', concern?: CdaNode): Reference<never> {
  const value = child(observation, 'value');
  const code: CodeableConcept | undefined = toCodeableConcept(ctx, value) ?? toCodeableConcept(ctx, child(observation, 'text'));
  if (!code) ctx.report(observation.path, 'problem observation without a problem code or text');
  const period = toPeriod(ctx, child(observation, 'effectiveTime'));
  const statusCode = nestedValue(observation, PROBLEM_STATUS)?.attr.code;
  const concernStatus = statusOf(concern);
  const clinical = clinicalStatusOf((statusCode && STATUS[statusCode]) || CONCERN_STATUS[concernStatus ?? ''], period?.end);
  const recorded = toDateTime(ctx, descend(observation, 'author/time')) ?? toDateTime(ctx, descend(concern, 'author/time'));
  const [recorder] = authorReferences(observation);
  reportUnread(ctx, observation, READ_ELSEWHERE, 'problem observation');
  const resource: Condition = {
    resourceType: 'Condition',
    identifier: toIdentifiers(children(observation, 'id')),
    ...(clinical && !negated(observation) ? { clinicalStatus: { coding: [{ system: CLINICAL, code: clinical }] } } : {}),
    verificationStatus: { coding: [{ system: VERIFICATION, code: negated(observation) ? 'refuted' : 'confirmed' }] },
    category: [{ coding: [{ system: CATEGORY, code: category }] }],
    ...(code ? { code } : {}),
    subject: ctx.patientRef,
    ...(period?.start ? { onsetDateTime: period.start } : {}),
    ...(period?.end && !negated(observation) ? { abatementDateTime: period.end } : {}),
    ...(recorded ? { recordedDate: recorded } : {}),
    ...(recorder ? { recorder } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  return ctx.add(resource, idKey(children(observation, 'id')), observation);
}

/**
 * Problem Status, else the concern's status (C-CDA on FHIR "Problems": /statusCode → clinicalStatus
 * only when the Problem Status Observation is missing). An effectiveTime/high means the problem
 * ended: an ongoing status beside it becomes inactive, and with no status at all it is resolved.
 */
function clinicalStatusOf(status: string | undefined, ended: string | undefined): string | undefined {
  if (!ended) return status;
  if (!status) return 'resolved';
  return ONGOING.includes(status) ? 'inactive' : status;
}
