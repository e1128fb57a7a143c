/**
 * Prometheus counters for data quality, registered on the registry the caller gives (the hub's:
 * `createQualityMetrics(hub.metrics.registry)`), never on prom-client's global one.
 */
import { Counter, type Registry } from 'prom-client';
import type { ResourceQuality } from './check-quality.ts';

export interface QualityMetrics {
  /** Findings by source, rule and severity. */
  findings: Counter<'source' | 'rule' | 'severity'>;
  /** Resources checked by source and outcome (`passing`: no error finding; `failing`). */
  checks: Counter<'source' | 'outcome'>;
}

export function createQualityMetrics(registry: Registry): QualityMetrics {
  return {
    findings: new Counter({
      name: 'longitude_data_quality_findings_total',
      help: 'Data-quality findings at entry, by source, rule and severity',
      labelNames: ['source', 'rule', 'severity'] as const,
      registers: [registry],
    }),
    checks: new Counter({
      name: 'longitude_data_quality_checks_total',
      help: 'Resources checked for data quality at entry, by source and outcome (passing: no error finding)',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

/** Counts one message's (or batch's) checks; call after the transaction that stored them commits. */
export function countQualityChecks(metrics: QualityMetrics, source: string, checks: readonly ResourceQuality[]): void {
  for (const check of checks) {
    metrics.checks.inc({ source, outcome: check.findings.some((f) => f.severity === 'error') ? 'failing' : 'passing' });
    for (const f of check.findings) metrics.findings.inc({ source, rule: f.ruleId, severity: f.severity });
  }
}
