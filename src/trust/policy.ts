/**
 * The access policy: what each role may do, written down in one table and enforced by one
 * function (`decide`). Everything that touches the record asks here; nothing else grants
 * access. Minimum necessary (HIPAA 45 CFR 164.502(b)): a service agent handles contact and
 * coverage questions and does not see clinical data; an auditor sees the audit trail, not the
 * record; a member sees only their own record.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { AccessContext, Role } from './access-context.ts';
import { isInPatientCompartment } from '../fhir/index.ts';

/** `reindex`: rebuild the search index of a type's resources ($reindex, record/reindex.ts). */
export const actions = ['read', 'search', 'history', 'create', 'update', 'delete', 'export', 'reindex'] as const;
export type Action = (typeof actions)[number];

/** Classes of data the policy speaks about. */
export type DataClass = 'administrative' | 'financial' | 'clinical' | 'audit' | 'interface';

/**
 * Raw inbound messages (the message store) are not FHIR resources; they carry whatever PHI
 * the sending system put in them, so they form their own class that only interface
 * administrators and the hub's own connectors touch.
 */
export const inboundMessageType = 'InboundMessage';

const administrativeTypes = new Set([
  'Patient',
  'RelatedPerson',
  'Person',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'HealthcareService',
  'Endpoint',
  'Coverage',
  'Communication',
  'CommunicationRequest',
  'Appointment',
  'AppointmentResponse',
  'Schedule',
  'Slot',
  'Consent',
  'Task',
]);
const financialTypes = new Set([
  'Claim',
  'ClaimResponse',
  'ExplanationOfBenefit',
  'CoverageEligibilityRequest',
  'CoverageEligibilityResponse',
  'Account',
  'Invoice',
  'PaymentNotice',
  'PaymentReconciliation',
]);

export function dataClassOf(resourceType: string): DataClass {
  if (resourceType === 'AuditEvent') return 'audit';
  if (resourceType === inboundMessageType) return 'interface';
  if (administrativeTypes.has(resourceType)) return 'administrative';
  if (financialTypes.has(resourceType)) return 'financial';
  return 'clinical';
}

interface Grant {
  actions: readonly Action[];
  data: readonly DataClass[];
  /** `own-record`: only resources in the Patient compartment of the context's person. */
  scope?: 'own-record';
}

const record: readonly DataClass[] = ['administrative', 'financial', 'clinical'];
const readOnly: readonly Action[] = ['read', 'search', 'history'];

/** The policy table. Read it as: role → may do these actions on these classes of data. */
export const policyTable: Readonly<Record<Role, readonly Grant[]>> = {
  admin: [
    { actions, data: record },
    { actions: ['read', 'search', 'export'], data: ['audit'] },
    // reprocessing a message is an update of its status
    { actions: ['read', 'search', 'update'], data: ['interface'] },
  ],
  'care-manager': [{ actions: [...readOnly, 'create', 'update'], data: record }],
  'service-agent': [{ actions: [...readOnly, 'create', 'update'], data: ['administrative', 'financial'] }],
  auditor: [{ actions: ['read', 'search', 'export'], data: ['audit'] }],
  member: [{ actions: readOnly, data: record, scope: 'own-record' }],
  system: [
    { actions: [...actions], data: record },
    { actions: ['create', 'read', 'search', 'update'], data: ['interface'] },
  ],
};

export type Decision = { allowed: true } | { allowed: false; reason: string };

/**
 * Decides whether a context may perform an action on a resource type. When the grant is
 * scoped to the member's own record, pass the resource (or, for a search, check each result):
 * without it a scoped grant is refused.
 */
export function decide(ctx: AccessContext, action: Action, resourceType: string, resource?: Resource): Decision {
  const dataClass = dataClassOf(resourceType);
  const grants = policyTable[ctx.role].filter((g) => g.actions.includes(action) && g.data.includes(dataClass));
  if (grants.length === 0) {
    return { allowed: false, reason: `role ${ctx.role} may not ${action} ${resourceType} (${dataClass} data)` };
  }
  if (grants.some((g) => g.scope === undefined)) return { allowed: true };
  if (!resource || !ctx.personId) {
    return { allowed: false, reason: `role ${ctx.role} may ${action} ${resourceType} only within its own record` };
  }
  if (!isInPatientCompartment(resource, ctx.personId)) {
    return { allowed: false, reason: `${resourceType} is outside the record of Patient/${ctx.personId}` };
  }
  return { allowed: true };
}

/** True when the role's grant for this action is limited to its own record (search must filter). */
export function isScopedToOwnRecord(ctx: AccessContext, action: Action, resourceType: string): boolean {
  const dataClass = dataClassOf(resourceType);
  const grants = policyTable[ctx.role].filter((g) => g.actions.includes(action) && g.data.includes(dataClass));
  return grants.length > 0 && grants.every((g) => g.scope === 'own-record');
}
