/**
 * Builds FHIR R4 AuditEvent resources (http://hl7.org/fhir/R4/auditevent.html) for what the
 * hub does: who (agent), what (entity), when (recorded), outcome, from where (network), and
 * why (purposeOfEvent). Codes follow the RESTful interaction and DICOM audit vocabularies.
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AccessContext } from '../access-context.ts';

export const interactions = [
  'read',
  'vread',
  'search',
  'history',
  'create',
  'update',
  'delete',
  'export',
  'login',
  // an extended operation such as $reindex (http://hl7.org/fhir/R4/operations.html)
  'operation',
] as const;
export type Interaction = (typeof interactions)[number];

export interface AuditEntry {
  /** Absent only when nobody could be identified (a refused token). */
  ctx?: AccessContext;
  /** Where an unidentified caller came from. */
  source?: { address?: string; userAgent?: string };
  interaction: Interaction;
  outcome: 'success' | 'failure';
  /** Why it failed, or what was notable; never PHI. */
  description?: string;
  /** What was touched: `Patient/123/_history/2`, or a query for searches. */
  entity?: { reference?: string; query?: string; resourceType?: string };
}

/** CRUDE codes of AuditEvent.action. */
const actionCodes: Record<Interaction, AuditEvent['action']> = {
  read: 'R',
  vread: 'R',
  search: 'E',
  history: 'R',
  create: 'C',
  update: 'U',
  delete: 'D',
  export: 'R',
  login: 'E',
  operation: 'E',
};

export function buildAuditEvent(entry: AuditEntry, recorded: Date): AuditEvent {
  const source = entry.ctx?.source ?? entry.source;
  const isLogin = entry.interaction === 'login';
  return {
    resourceType: 'AuditEvent',
    type: isLogin
      ? { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' }
      : { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [
      isLogin
        ? { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122', display: 'Login' }
        : { system: 'http://hl7.org/fhir/restful-interaction', code: entry.interaction },
    ],
    action: actionCodes[entry.interaction],
    recorded: recorded.toISOString(),
    // 0 success, 4 minor failure (refused, not found), per http://hl7.org/fhir/R4/valueset-audit-event-outcome.html
    outcome: entry.outcome === 'success' ? '0' : '4',
    ...(entry.description ? { outcomeDesc: entry.description } : {}),
    ...(entry.ctx
      ? {
          purposeOfEvent: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: entry.ctx.purposeOfUse }] },
          ],
        }
      : {}),
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
              code: entry.ctx?.actor.type === 'system' ? 'dataprocessor' : 'humanuser',
            },
          ],
        },
        who: { identifier: { system: 'urn:longitude:actor', value: entry.ctx?.actor.id ?? 'unknown' } },
        requestor: true,
        ...(entry.ctx ? { role: [{ text: entry.ctx.role }] } : {}),
        ...(entry.ctx?.personId ? { altId: `Patient/${entry.ctx.personId}` } : {}),
        ...(source?.address ? { network: { address: source.address, type: '2' as const } } : {}),
      },
    ],
    source: {
      observer: { display: 'Longitude hub' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    ...(entry.entity
      ? {
          entity: [
            {
              ...(entry.entity.reference ? { what: { reference: entry.entity.reference } } : {}),
              ...(entry.entity.resourceType ? { name: entry.entity.resourceType } : {}),
              ...(entry.entity.query ? { query: Buffer.from(entry.entity.query).toString('base64') } : {}),
            },
          ],
        }
      : {}),
  };
}
