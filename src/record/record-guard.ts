/**
 * The checks every store call passes before it touches a row: a real access context, a
 * known resource type, and the policy's decision (a refusal is audited on its own, durable
 * transaction, so it survives the rollback of the work it refused).
 */
import type { Meta, Resource } from '@medplum/fhirtypes';
import { assertValidResource } from '../fhir/index.ts';
import { LongitudeError, errorAt } from '../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../trust/access-context.ts';
import type { AuditEntry, Interaction } from '../trust/audit/audit-event.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { decide, type Action } from '../trust/policy.ts';

/** What is asked: an action on a type, on one resource when it is known. */
export interface Access {
  action: Action;
  interaction: Interaction;
  resourceType: string;
  resource?: Resource | undefined;
  /** What the audit entry names (defaults to the type). */
  reference?: string;
}

export class RecordGuard {
  constructor(
    private readonly audit: AuditLog,
    private readonly knownTypes: ReadonlySet<string>,
  ) {}

  /** Refuses a call without an access context or about an unknown resource type. */
  begin(ctx: AccessContext, resourceType: unknown): asserts resourceType is string {
    requireAccessContext(ctx);
    if (typeof resourceType !== 'string' || !this.knownTypes.has(resourceType)) {
      throw errorAt('LNG_NOT_FOUND', `unknown resource type ${String(resourceType)}`, 'resourceType');
    }
  }

  /** Decides with the policy; a refusal is audited and thrown as LNG_FORBIDDEN. */
  async authorize(ctx: AccessContext, access: Access): Promise<void> {
    const refusal = this.check(ctx, access);
    if (!refusal) return;
    await this.audit.record(refusal.entry);
    throw refusal.error;
  }

  /**
   * The decision without writing anything: inside a transaction the refusal's audit entry
   * must be written after the transaction ends (the embedded database runs one transaction
   * at a time, and the entry must outlive a rollback).
   */
  check(ctx: AccessContext, { action, interaction, resourceType, resource, reference }: Access): { entry: AuditEntry; error: LongitudeError } | undefined {
    const decision = decide(ctx, action, resourceType, resource);
    if (decision.allowed) return undefined;
    return {
      entry: {
        ctx,
        interaction,
        outcome: 'failure',
        description: `refused: ${decision.reason}`,
        entity: { reference: reference ?? resourceType, resourceType },
      },
      error: new LongitudeError('LNG_FORBIDDEN', decision.reason),
    };
  }
}

/** Drops the store-owned meta fields and validates the resource against its StructureDefinition. */
export function prepareForWrite<T extends Resource>(resource: T): T {
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta ?? ({} as Meta);
  const prepared = { ...resource } as T;
  if (Object.keys(meta).length > 0) prepared.meta = meta;
  else delete prepared.meta;
  assertValidResource(prepared);
  return prepared;
}
