/**
 * Data-quality findings in the database (migration 0008): one `data_quality_check` row per
 * resource checked, its findings in `data_quality_finding`, and the per-source report
 * `longitude quality` prints. Call `recordQualityChecks` in the transaction that processes the
 * message, so the findings commit with the data they describe; a reprocessed message replaces
 * its earlier rows.
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { ResourceQuality } from './check-quality.ts';
import type { QualityRuleId, Severity } from './finding.ts';

export interface QualityOrigin {
  /** The source system (`hospital`, the HL7 sender, a CSV feed name). */
  source: string;
  channel?: string;
  /** The inbound message's id in the message store. */
  messageId?: number;
}

function count(check: ResourceQuality, severity: Severity): number {
  return check.findings.filter((f) => f.severity === severity).length;
}

/** The checks of one message (or one batch of resources) and where they came from. */
export interface QualityRecord {
  origin: QualityOrigin;
  checks: readonly ResourceQuality[];
}

/**
 * Stores the checks of one message (or one batch of resources); returns the check ids, in the
 * order of `checks`. A reprocessed message's earlier rows are replaced.
 * @param db - the processing transaction (or the database)
 */
export function recordQualityChecks(db: Queryable, origin: QualityOrigin, checks: readonly ResourceQuality[]): Promise<number[]> {
  return recordQualityChecksOfMany(db, [{ origin, checks }]);
}

/**
 * Stores the checks of several messages in one statement (data-modifying CTEs): the earlier
 * rows of reprocessed messages go, ids are drawn, checks and findings inserted — it runs for
 * every batch an import processes, and on the embedded database a statement's fixed cost is
 * most of it. Returns the check ids in the order of the records' checks, one after another.
 */
export async function recordQualityChecksOfMany(db: Queryable, records: readonly QualityRecord[]): Promise<number[]> {
  const messageIds = records.flatMap((r) => (r.origin.messageId === undefined ? [] : [r.origin.messageId]));
  const checks = records.flatMap((r) => r.checks.map((check) => ({ check, origin: r.origin })));
  if (checks.length === 0) {
    if (messageIds.length > 0) await db.query('delete from data_quality_check where message_id = any($1::bigint[])', [messageIds]);
    return [];
  }
  const findings = checks.flatMap(({ check }, i) => check.findings.map((f, ordinal) => ({ ...f, check: i + 1, ordinal })));
  // `t` draws each check's id once (a CTE with a volatile function is evaluated once), so
  // each finding names its check without relying on RETURNING order.
  const { rows } = await db.query<{ id: number }>(
    `with gone as (delete from data_quality_check where message_id = any($1::bigint[])),
     t as (select nextval('data_quality_check_id_seq') as id, t.*
             from unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[]) with ordinality
                  as t(source, channel, message_id, resource_type, resource_ref, errors, warnings, informations, n)),
     checks as (
       insert into data_quality_check (id, source, channel, message_id, resource_type, resource_ref, errors, warnings, informations)
       select t.id, t.source, t.channel, t.message_id, t.resource_type, t.resource_ref, t.errors, t.warnings, t.informations from t),
     findings as (
       insert into data_quality_finding (check_id, ordinal, rule_id, severity, location, message)
       select t.id, f.ordinal, f.rule_id, f.severity, f.location, f.message
         from unnest($10::int[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[]) as f(n, ordinal, rule_id, severity, location, message)
         join t on t.n = f.n)
     select id from t order by n`,
    [
      messageIds,
      checks.map((c) => c.origin.source),
      checks.map((c) => c.origin.channel ?? null),
      checks.map((c) => c.origin.messageId ?? null),
      checks.map((c) => c.check.resourceType),
      checks.map((c) => c.check.resourceRef),
      checks.map((c) => count(c.check, 'error')),
      checks.map((c) => count(c.check, 'warning')),
      checks.map((c) => count(c.check, 'information')),
      findings.map((f) => f.check),
      findings.map((f) => f.ordinal),
      findings.map((f) => f.ruleId),
      findings.map((f) => f.severity),
      findings.map((f) => f.location),
      findings.map((f) => f.message),
    ],
  );
  return rows.map((r) => Number(r.id));
}

export interface RuleCount {
  ruleId: QualityRuleId;
  severity: Severity;
  /** Findings of this rule and severity. */
  findings: number;
  /** Resources with at least one of them. */
  resources: number;
}

export interface SourceQualityReport {
  source: string;
  checked: number;
  /** Resources without an error finding. */
  passing: number;
  /** Resources without any finding. */
  clean: number;
  /** passing / checked (1 when nothing was checked). */
  passingShare: number;
  byRule: RuleCount[];
}

export interface QualityReportQuery {
  source?: string;
  /** Only checks made at or after this time. */
  since?: Date;
}

/** Per source: resources checked, passing, clean, and findings by rule and severity. */
export async function qualityReport(db: Queryable, query: QualityReportQuery = {}): Promise<SourceQualityReport[]> {
  const params = [query.source ?? null, query.since ?? null];
  const totals = await db.query<{ source: string; checked: number; passing: number; clean: number }>(
    `select source, count(*)::int as checked,
            count(*) filter (where errors = 0)::int as passing,
            count(*) filter (where errors + warnings + informations = 0)::int as clean
       from data_quality_check
      where ($1::text is null or source = $1) and ($2::timestamptz is null or checked_at >= $2)
      group by source
      order by source`,
    params,
  );
  const rules = await db.query<{ source: string; rule_id: QualityRuleId; severity: Severity; findings: number; resources: number }>(
    `select c.source, f.rule_id, f.severity, count(*)::int as findings, count(distinct c.id)::int as resources
       from data_quality_finding f
       join data_quality_check c on c.id = f.check_id
      where ($1::text is null or c.source = $1) and ($2::timestamptz is null or c.checked_at >= $2)
      group by c.source, f.rule_id, f.severity
      order by c.source, count(*) desc, f.rule_id, f.severity`,
    params,
  );
  return totals.rows.map((t) => ({
    source: t.source,
    checked: t.checked,
    passing: t.passing,
    clean: t.clean,
    passingShare: t.checked === 0 ? 1 : t.passing / t.checked,
    byRule: rules.rows
      .filter((r) => r.source === t.source)
      .map((r) => ({ ruleId: r.rule_id, severity: r.severity, findings: r.findings, resources: r.resources })),
  }));
}

export interface StoredFinding {
  checkId: number;
  resourceType: string;
  resourceRef: string;
  ruleId: QualityRuleId;
  severity: Severity;
  location: string;
  message: string;
}

/** The findings recorded for one message, in check and finding order. */
export async function findingsOfMessage(db: Queryable, messageId: number): Promise<StoredFinding[]> {
  const { rows } = await db.query<{ check_id: number; resource_type: string; resource_ref: string; rule_id: QualityRuleId; severity: Severity; location: string; message: string }>(
    `select f.check_id, c.resource_type, c.resource_ref, f.rule_id, f.severity, f.location, f.message
       from data_quality_finding f join data_quality_check c on c.id = f.check_id
      where c.message_id = $1
      order by f.check_id, f.ordinal`,
    [messageId],
  );
  return rows.map((r) => ({
    checkId: Number(r.check_id),
    resourceType: r.resource_type,
    resourceRef: r.resource_ref,
    ruleId: r.rule_id,
    severity: r.severity,
    location: r.location,
    message: r.message,
  }));
}
