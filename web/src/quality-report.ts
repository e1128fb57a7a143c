/** The data-quality report as the console charts it, from the hub's /admin/quality answer. */
/** One source's report, read from either the CLI's JSON (checked/passing/byRule) or a summarized form (records/checks/score). */
export interface SourceReport {
  source: string;
  checked: number;
  passing: number;
  passingShare: number;
  /** Share of resources with no finding at all (warnings included). */
  cleanShare: number | null;
  rules: { rule: string; severity?: string; findings: number; resources?: number; rate?: number }[];
}

export interface RawSource {
  source: string;
  checked?: number;
  records?: number;
  passing?: number;
  passingShare?: number;
  score?: number;
  clean?: number;
  byRule?: { ruleId: string; severity: string; findings: number; resources: number }[];
  checks?: { check: string; failed: number; rate?: number; severity?: string }[];
}

export function normalizeReport(raw: RawSource): SourceReport {
  const checked = raw.checked ?? raw.records ?? 0;
  const share = raw.passingShare ?? raw.score ?? (checked === 0 ? 1 : (raw.passing ?? checked) / checked);
  return {
    source: raw.source,
    checked,
    passing: raw.passing ?? Math.round(share * checked),
    passingShare: share > 1 ? share / 100 : share,
    cleanShare: raw.clean === undefined ? null : checked === 0 ? 1 : raw.clean / checked,
    rules:
      raw.byRule?.map((r) => ({ rule: r.ruleId, severity: r.severity, findings: r.findings, resources: r.resources })) ??
      raw.checks?.map((c) => ({ rule: c.check, findings: c.failed, ...(c.severity ? { severity: c.severity } : {}), ...(c.rate !== undefined ? { rate: c.rate } : {}) })) ??
      [],
  };
}
