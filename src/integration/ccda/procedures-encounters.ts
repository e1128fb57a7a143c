/**
 * Procedure Activity Procedure (2.16.840.1.113883.10.20.22.4.14) and Procedure Activity Act
 * (4.12) → Procedure; Encounter Activity (4.49) → Encounter, and the header's
 * componentOf/encompassingEncounter → the document's Encounter (C-CDA on FHIR "Procedures" and
 * "Encounters" maps). Encounter diagnoses inside an encounter become encounter-diagnosis
 * Conditions, referenced from Encounter.diagnosis.
 */
import type { Encounter, EncounterDiagnosis, Procedure } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { idKey, toCodeableConcept, toIdentifiers, toPeriod } from './cda-datatypes.ts';
import { child, children, descend, type CdaNode } from './cda-xml.ts';
import { negated, nested, reportUnread, statusOf } from './entries.ts';
import { assignedReference, performerReferences } from './participants.ts';
import { DIAGNOSIS_ACTS, PROBLEM_OBSERVATION, mapProblemObservation } from './problems.ts';

export const PROCEDURE_ACTIVITY_PROCEDURE = '2.16.840.1.113883.10.20.22.4.14';
export const PROCEDURE_ACTIVITY_ACT = '2.16.840.1.113883.10.20.22.4.12';
export const ENCOUNTER_ACTIVITY = '2.16.840.1.113883.10.20.22.4.49';

const PROCEDURE_STATUS: Record<string, Procedure['status']> = {
  completed: 'completed',
  active: 'in-progress',
  aborted: 'stopped',
  cancelled: 'not-done',
  new: 'preparation',
  suspended: 'on-hold',
  held: 'on-hold',
  nullified: 'entered-in-error',
};
const ENCOUNTER_STATUS: Record<string, Encounter['status']> = { completed: 'finished', active: 'in-progress', aborted: 'cancelled', cancelled: 'cancelled', new: 'planned', nullified: 'entered-in-error' };
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export function mapProcedure(ctx: CcdaContext, node: CdaNode): void {
  const code = toCodeableConcept(ctx, child(node, 'code'));
  if (!code) {
    ctx.report(node.path, 'procedure without a code or text');
    return;
  }
  const period = toPeriod(ctx, child(node, 'effectiveTime'));
  const bodySite = children(node, 'targetSiteCode').map((t) => toCodeableConcept(ctx, t)).filter((c) => !!c);
  const performers = performerReferences(node);
  reportUnread(ctx, node, [], 'procedure');
  const resource: Procedure = {
    resourceType: 'Procedure',
    identifier: toIdentifiers(children(node, 'id')),
    status: negated(node) ? 'not-done' : (PROCEDURE_STATUS[statusOf(node) ?? ''] ?? 'unknown'),
    code,
    subject: ctx.patientRef,
    ...(period ? (period.end && period.end !== period.start ? { performedPeriod: period } : { performedDateTime: period.start ?? period.end! }) : {}),
    ...(bodySite.length ? { bodySite } : {}),
    ...(performers.length ? { performer: performers.map((actor) => ({ actor })) } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  ctx.add(resource, idKey(children(node, 'id')), node);
}

/** Encounter.class is required (1..1): the code when it is an ActCode, else an ActCode translation, else NullFlavor UNK. */
function encounterClass(node: CdaNode | undefined): Encounter['class'] {
  const candidates = node ? [node, ...children(node, 'translation')] : [];
  const act = candidates.find((c) => c.attr.codeSystem === '2.16.840.1.113883.5.4' && c.attr.code);
  if (act) return { system: ACT_CODE, code: act.attr.code!, ...(act.attr.displayName ? { display: act.attr.displayName } : {}) };
  return { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK', display: 'unknown' };
}

export function mapEncounterActivity(ctx: CcdaContext, node: CdaNode): void {
  const diagnoses: EncounterDiagnosis[] = [];
  for (const act of nested(node, ...DIAGNOSIS_ACTS)) {
    reportUnread(ctx, act, [PROBLEM_OBSERVATION], 'encounter diagnosis');
    for (const observation of nested(act, PROBLEM_OBSERVATION)) diagnoses.push({ condition: mapProblemObservation(ctx, observation, 'encounter-diagnosis', act) });
  }
  for (const observation of nested(node, PROBLEM_OBSERVATION)) diagnoses.push({ condition: mapProblemObservation(ctx, observation, 'encounter-diagnosis') });
  reportUnread(ctx, node, [...DIAGNOSIS_ACTS, PROBLEM_OBSERVATION], 'encounter');
  ctx.add(encounterOf(ctx, node, ENCOUNTER_STATUS[statusOf(node) ?? ''] ?? 'unknown', diagnoses), idKey(children(node, 'id')), node);
}

/** componentOf/encompassingEncounter → the Encounter the document was written for (Composition.encounter). */
export function mapEncompassingEncounter(ctx: CcdaContext): string | undefined {
  const node = descend(ctx.root, 'componentOf/encompassingEncounter');
  if (!node) return undefined;
  // The header encounter has no statusCode; a discharge disposition or an end time says it is over.
  const period = toPeriod(ctx, child(node, 'effectiveTime'));
  const status: Encounter['status'] = child(node, 'dischargeDispositionCode') || period?.end ? 'finished' : 'unknown';
  return ctx.add(encounterOf(ctx, node, status, []), idKey(children(node, 'id')), node).reference;
}

function encounterOf(ctx: CcdaContext, node: CdaNode, status: Encounter['status'], diagnosis: EncounterDiagnosis[]): Encounter {
  const codeNode = child(node, 'code');
  const type = toCodeableConcept(ctx, codeNode);
  const period = toPeriod(ctx, child(node, 'effectiveTime'));
  const participants = [...children(node, 'performer'), ...children(node, 'encounterParticipant'), ...children(node, 'responsibleParty')]
    .map(assignedReference)
    .filter((r) => !!r)
    .map((individual) => ({ individual }));
  const locations = [...children(node, 'participant').filter((p) => p.attr.typeCode === 'LOC').map((p) => child(p, 'participantRole')), descend(node, 'location/healthCareFacility')]
    .filter((l): l is CdaNode => !!l)
    .map((l) => ({ location: { display: textContent(l) } }))
    .filter((l) => l.location.display);
  const disposition = toCodeableConcept(ctx, child(node, 'dischargeDispositionCode'));
  const resource: Encounter = {
    resourceType: 'Encounter',
    identifier: toIdentifiers(children(node, 'id')),
    status,
    class: encounterClass(codeNode),
    ...(type ? { type: [type] } : {}),
    subject: ctx.patientRef,
    ...(participants.length ? { participant: participants } : {}),
    ...(period ? { period } : {}),
    ...(diagnosis.length ? { diagnosis } : {}),
    ...(disposition ? { hospitalization: { dischargeDisposition: disposition } } : {}),
    ...(locations.length ? { location: locations } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  return resource;
}

function textContent(node: CdaNode): string {
  const name = descend(node, 'playingEntity/name') ?? descend(node, 'location/name') ?? child(node, 'name');
  const addr = child(node, 'addr') ?? descend(node, 'location/addr');
  return [name?.text.trim(), ...(addr ? addr.children.map((c) => c.text.trim()) : [])].filter(Boolean).join(', ');
}
