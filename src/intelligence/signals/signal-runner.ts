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
import type { PersonRecord } from './person-record.ts';
import { loadPersonRecords } from './person-records-batch.ts';
import { emptyTally, reconcileSignals, type KindTally, type Unchecked } from './signal-lifecycle.ts';
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

export interface RunOptions {
  /** Only these kinds (their other signals are left alone); all by default. */
  kinds?: readonly SignalKindId[];
  asOf?: Date;
}

interface Computed {
  person: PersonRef;
  findings: Finding[];
  failed: PersonRun['failed'];
  ran: SignalKindId[];
  /** Parts of kinds that ran but could not be checked: their stored signals stay as they are. */
  unchecked: Unchecked[];
  asOf: Date;
}

/** The kind code of a stored signal. */
const kindOf = (issue: DetectedIssue) => issue.code?.coding?.find((c) => c.system === SIGNAL_KIND_SYSTEM)?.code as SignalKindId;

export class SignalRunner {
  private readonly search: SearchService;

  constructor(private readonly deps: SignalRunnerDeps) {
    this.search = new SearchService({ db: deps.db, audit: deps.audit, parameters: deps.searchParameters });
  }

  /**
   * Recomputes the signals of one person.
   * @param kinds - only these kinds (their other signals are left alone); all by default
   */
  async runPerson(ctx: AccessContext, person: PersonRef, options: RunOptions = {}): Promise<PersonRun> {
    const record = await loadPersonRecord(this.deps, ctx, person.id, person.patientIds);
    const computed = await this.detect(person, record, options);
    const existing = await this.storedSignals(ctx, person, computed.ran);
    return (await this.store(ctx, [{ ...computed, existing }]))[0]!;
  }

  /**
   * Recomputes the signals of a page of persons (a full run): the same outcome as `runPerson`
   * for each, with their records read, their stored signals searched and the changed
   * DetectedIssues written together (one unit of work) instead of person by person. A record
   * that cannot be read stops the run there, as it does one by one; the persons before it are
   * stored first.
   */
  async runPersons(ctx: AccessContext, persons: readonly PersonRef[], options: RunOptions = {}): Promise<PersonRun[]> {
    const records = await loadPersonRecords(this.deps, ctx, persons);
    const ready: { person: PersonRef; record: PersonRecord }[] = [];
    let stop: unknown;
    for (const person of persons) {
      const loaded = records.get(person.id);
      if (!loaded || 'error' in loaded) {
        stop = loaded?.error ?? new Error(`person ${person.id} was not loaded`);
        break;
      }
      ready.push({ person, record: loaded.record });
    }
    // The persons of a page side by side: with a measure engine on worker threads (signal-run.ts
    // `workers`), their care-gap evaluations run in parallel.
    const computed = await Promise.all(ready.map(({ person, record }) => this.detect(person, record, options)));
    const ran = [...new Set(computed.flatMap((c) => c.ran))];
    const stored = await this.storedSignalsOf(ctx, computed.map((c) => c.person), ran);
    const runs = await this.store(ctx, computed.map((c) => ({
      ...c,
      existing: c.person.patientIds.flatMap((id) => stored.get(`Patient/${id}`) ?? []).filter((issue) => c.ran.includes(kindOf(issue))),
    })));
    if (stop !== undefined) throw stop;
    return runs;
  }

  /** Runs each kind (pure) on the record; a kind that throws is reported and leaves its signals alone. */
  private async detect(person: PersonRef, record: PersonRecord, options: RunOptions): Promise<Computed> {
    const asOf = options.asOf ?? new Date();
    const kinds: SignalKind[] = signalKindRegistry.filter((k) => !options.kinds || options.kinds.includes(k.id));
    const findings: Finding[] = [];
    const failed: PersonRun['failed'] = [];
    const ran: SignalKindId[] = [];
    const unchecked: Unchecked[] = [];
    for (const kind of kinds) {
      try {
        const detection = await kind.detect(record, { asOf, services: this.deps.services });
        const partial = Array.isArray(detection) ? { findings: detection, unchecked: [] } : detection;
        findings.push(...partial.findings);
        ran.push(kind.id);
        for (const part of partial.unchecked) {
          unchecked.push({ kind: kind.id, keyPrefix: part.keyPrefix });
          failed.push({ kind: kind.id, message: part.reason });
          this.deps.logger?.warn({ person: person.id, kind: kind.id, part: part.keyPrefix, reason: part.reason }, 'part of a signal kind failed');
        }
      } catch (err) {
        // A failed kind leaves its stored signals as they were rather than resolving them.
        const message = err instanceof Error ? err.message : String(err);
        failed.push({ kind: kind.id, message });
        this.deps.logger?.warn({ person: person.id, kind: kind.id, err }, 'signal kind failed');
      }
    }
    return { person, findings, failed, ran, unchecked, asOf };
  }

  /** Reconciles each person's findings with their stored signals and writes the changes in one transaction. */
  private async store(ctx: AccessContext, people: readonly (Computed & { existing: DetectedIssue[] })[]): Promise<PersonRun[]> {
    const runs: PersonRun[] = [];
    const writes: DetectedIssue[] = [];
    for (const { person, ran, existing, findings, asOf, failed, unchecked } of people) {
      const plan = reconcileSignals(person, ran, existing, findings, asOf.toISOString(), unchecked);
      writes.push(...plan.writes);
      for (const kind of ran) if (!plan.tally.has(kind)) plan.tally.set(kind, emptyTally());
      runs.push({ tally: plan.tally, failed });
    }
    if (writes.length > 0) {
      await this.deps.store.transaction(ctx, async (tx) => {
        for (const issue of writes) await tx.update(issue);
      });
    }
    return runs;
  }

  /**
   * The stored signals of some kinds of these persons, by `Patient/<id>`, through FHIR search
   * (policy and audit apply): one search for all of them.
   */
  async storedSignalsOf(ctx: AccessContext, persons: readonly PersonRef[], kinds: readonly SignalKindId[]): Promise<Map<string, DetectedIssue[]>> {
    const byPatient = new Map<string, DetectedIssue[]>();
    const patients = [...new Set(persons.flatMap((p) => p.patientIds))];
    if (kinds.length === 0 || patients.length === 0) return byPatient;
    for (const issue of await this.searchSignals(ctx, patients, kinds)) {
      const ref = issue.patient?.reference ?? '';
      (byPatient.get(ref) ?? byPatient.set(ref, []).get(ref)!).push(issue);
    }
    return byPatient;
  }

  private async searchSignals(ctx: AccessContext, patientIds: readonly string[], kinds: readonly SignalKindId[]): Promise<DetectedIssue[]> {
    const query: [string, string][] = [
      ['patient', patientIds.map((id) => `Patient/${id}`).join(',')],
      ['code', kinds.map((k) => `${SIGNAL_KIND_SYSTEM}|${k}`).join(',')],
      ['_count', '1000'],
    ];
    return (await this.search.searchAll(ctx, 'DetectedIssue', query)) as DetectedIssue[];
  }

  /** The person's stored signals of some kinds, through FHIR search (policy and audit apply). */
  async storedSignals(ctx: AccessContext, person: PersonRef, kinds: readonly SignalKindId[]): Promise<DetectedIssue[]> {
    if (kinds.length === 0) return [];
    const issues: DetectedIssue[] = [];
    for (const patientId of person.patientIds) issues.push(...(await this.searchSignals(ctx, [patientId], kinds)));
    return issues;
  }
}
