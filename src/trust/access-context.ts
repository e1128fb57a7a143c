/**
 * The access context: who is asking, in what role, for what purpose, and (for a member) as
 * which person. Every read and write in the record store takes one; there is no call without
 * it. Contexts are built at the edge (a verified token, a CLI command, a system job) and then
 * passed down unchanged.
 */
import { LongitudeError } from '../platform/errors.ts';

export const roles = ['admin', 'care-manager', 'service-agent', 'auditor', 'member', 'system'] as const;
export type Role = (typeof roles)[number];

/**
 * Purpose of use, from the HL7 v3 PurposeOfUse value set
 * (http://terminology.hl7.org/CodeSystem/v3-ActReason): treatment, payment, operations,
 * care management, patient request, audit (HSYSADMIN is used for system administration).
 */
export const purposesOfUse = ['TREAT', 'HPAYMT', 'HOPERAT', 'CAREMGT', 'PATRQT', 'HSYSADMIN', 'HACCRED'] as const;
export type PurposeOfUse = (typeof purposesOfUse)[number];

/** The purpose a role acts under when its token names none. */
export const defaultPurposeOfUse: Record<Role, PurposeOfUse> = {
  admin: 'HSYSADMIN',
  'care-manager': 'CAREMGT',
  'service-agent': 'HOPERAT',
  auditor: 'HACCRED',
  member: 'PATRQT',
  system: 'HOPERAT',
};

export interface Actor {
  type: 'user' | 'system';
  /** Stable id: a user name, or the name of a system component (`cli`, `outbox:identity`). */
  id: string;
}

export interface AccessContext {
  readonly actor: Actor;
  readonly role: Role;
  readonly purposeOfUse: PurposeOfUse;
  /** For the member role: the Patient id whose record this member may see. */
  readonly personId?: string;
  /** Where the request came from, for the audit trail. */
  readonly source?: { readonly address?: string; readonly userAgent?: string };
  /** The token (JWT id) the context came from, when it came from one. */
  readonly sessionId?: string;
}

const accessContexts = new WeakSet<AccessContext>();

/** Builds a checked, frozen access context. */
export function createAccessContext(input: {
  actor: Actor;
  role: Role;
  purposeOfUse?: PurposeOfUse;
  personId?: string;
  source?: AccessContext['source'];
  sessionId?: string;
}): AccessContext {
  if (!roles.includes(input.role)) throw new LongitudeError('LNG_FORBIDDEN', `unknown role ${String(input.role)}`);
  if (input.role === 'member' && !input.personId) {
    throw new LongitudeError('LNG_FORBIDDEN', 'a member access context must name the person (personId)');
  }
  if (input.purposeOfUse && !purposesOfUse.includes(input.purposeOfUse)) {
    throw new LongitudeError('LNG_FORBIDDEN', `unknown purpose of use ${String(input.purposeOfUse)}`);
  }
  const context: AccessContext = Object.freeze({
    actor: Object.freeze({ ...input.actor }),
    role: input.role,
    purposeOfUse: input.purposeOfUse ?? defaultPurposeOfUse[input.role],
    ...(input.personId ? { personId: input.personId } : {}),
    ...(input.source ? { source: Object.freeze({ ...input.source }) } : {}),
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
  });
  accessContexts.add(context);
  return context;
}

/** A context for the hub's own components (migrations, outbox consumers, importers). */
export function systemContext(component: string): AccessContext {
  return createAccessContext({ actor: { type: 'system', id: component }, role: 'system' });
}

/**
 * Refuses a call that brings no access context, or an object that only looks like one: only
 * contexts made by createAccessContext are accepted, so nobody can hand-roll an admin.
 */
export function requireAccessContext(ctx: AccessContext | undefined | null): AccessContext {
  if (!ctx || !accessContexts.has(ctx)) {
    throw new LongitudeError('LNG_NO_ACCESS_CONTEXT', 'refused: the call carries no access context');
  }
  return ctx;
}
