/**
 * Runs signal kinds for a person and stores the outcome: loads the PersonRecord, runs each
 * kind (pure), reconciles the findings with the stored signals (signal-lifecycle.ts) and
 * writes the DetectedIssues in one store transaction, as the given access context.
 */
import type { DetectedIssue } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Queryable } from '../../platform/db/db.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import { SearchService, type SearchParameterRegistry } from '../../record/search/index.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { SIGNAL_KIND_SYSTEM } from './detected-issue.ts';
import { signalKindRegistry } from './kinds/index.ts';
import type { PersonRef } from './person-directory.ts';
import { loadPersonRecord } from './person-record-loader.ts';
import { emptyTally, reconcileSignals, type KindTally } from './signal-lifecycle.ts';
import type { Finding, SignalKind, SignalKindId, SignalServices } from './signal.ts';

export interface SignalRunnerDeps {
  db: Queryable;
  store: ResourceStore;
  audit: AuditLog;
  searchParameters: SearchParameterRegistry;
  services: SignalServices;
  logger?: Logger;
}

export interface PersonRun {
  tally: Map<SignalKindId, KindTally>;
  /** Kinds that threw (a CQL failure on odd data); the others still ran and were stored. */
  failed: { kind: SignalKindId; message: string }[];
}

export class SignalRunner {
  private readonly search: SearchService;

  constructor(private readonly deps: SignalRunnerDeps) {
    this.search = new SearchService({ db: deps.db, audit: deps.audit, parameters: deps.searchParameters });
  }

  /**
   * Recomputes the signals of one person.
   * @param kinds - only these kinds (their other signals are left alone); all by default
   */
  async runPerson(ctx: AccessContext, person: PersonRef, options: { kinds?: readonly SignalKindId[]; asOf?: Date } = {}): Promise<PersonRun> {
    const asOf = options.asOf ?? new Date();
    const kinds: SignalKind[] = signalKindRegistry.filter((k) => !options.kinds || options.kinds.includes(k.id));
    const record = await loadPersonRecord(this.deps, ctx, person.id, person.patientIds);
    const findings: Finding[] = [];
    const failed: PersonRun['failed'] = [];
    const ran: SignalKindId[] = [];
    for (const kind of kinds) {
      try {
        findings.push(...(await kind.detect(record, { asOf, services: this.deps.services })));
        ran.push(kind.id);
      } catch (err) {
        // A failed kind leaves its stored signals as they were rather than resolving them.
        const message = err instanceof Error ? err.message : String(err);
        failed.push({ kind: kind.id, message });
        this.deps.logger?.warn({ person: person.id, kind: kind.id, err }, 'signal kind failed');
      }
    }
    const existing = await this.storedSignals(ctx, person, ran);
    const plan = reconcileSignals(person, ran, existing, findings, asOf.toISOString());
    if (plan.writes.length > 0) {
      await this.deps.store.transaction(ctx, async (tx) => {
        for (const issue of plan.writes) await tx.update(issue);
      });
    }
    for (const kind of ran) if (!plan.tally.has(kind)) plan.tally.set(kind, emptyTally());
    return { tally: plan.tally, failed };
  }

  /** The person's stored signals of some kinds, through FHIR search (policy and audit apply). */
  async storedSignals(ctx: AccessContext, person: PersonRef, kinds: readonly SignalKindId[]): Promise<DetectedIssue[]> {
    if (kinds.length === 0) return [];
    const issues: DetectedIssue[] = [];
    for (const patientId of person.patientIds) {
      let cursor: string | undefined;
      do {
        const query: [string, string][] = [
          ['patient', `Patient/${patientId}`],
          ['code', kinds.map((k) => `${SIGNAL_KIND_SYSTEM}|${k}`).join(',')],
          ['_count', '1000'],
          ...(cursor ? ([['_cursor', cursor]] as [string, string][]) : []),
        ];
        const page = await this.search.search(ctx, 'DetectedIssue', query);
        issues.push(...(page.resources as DetectedIssue[]));
        cursor = page.next;
      } while (cursor);
    }
    return issues;
  }
}
