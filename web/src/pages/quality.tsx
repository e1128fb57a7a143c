/**
 * Data quality per source: resources checked, the share passing (no error finding), and the
 * findings by rule (src/integration/quality/), as a bar chart and tables.
 */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Page } from '../components/page.tsx';
import { SourceBadge } from '../components/source-badge.tsx';
import { Loaded } from '../components/status.tsx';
import { formatDate } from '../format.ts';
import { useApi } from '../use-api.ts';
import { normalizeReport, type RawSource, type SourceReport } from '../quality-report.ts';

function PassingChart({ reports }: { reports: SourceReport[] }) {
  const rows = reports.map((r) => ({ source: r.source, passing: Math.round(r.passingShare * 1000) / 10, ...(r.cleanShare === null ? {} : { clean: Math.round(r.cleanShare * 1000) / 10 }) }));
  const withClean = reports.some((r) => r.cleanShare !== null);
  return (
    <figure className="chart" aria-labelledby="passing-title">
      <figcaption id="passing-title">
        <strong>Share of resources passing (no error), and without any finding, per source</strong> <span className="muted">(%)</span>
      </figcaption>
      <div className="chart-canvas" aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#d0d4d9" strokeDasharray="3 3" />
            <XAxis dataKey="source" tick={{ fill: '#333', fontSize: 12 }} />
            <YAxis domain={[0, 100]} tick={{ fill: '#333', fontSize: 12 }} width={40} />
            <Tooltip />
            <Legend />
            <Bar dataKey="passing" name="Passing (no error)" fill="#0b5394" isAnimationActive={false} />
            {withClean ? <Bar dataKey="clean" name="Without findings" fill="#b35c00" isAnimationActive={false} /> : null}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function QualityPage() {
  const report = useApi<{ sources: RawSource[]; generatedAt?: string }>('/admin/quality');
  return (
    <Page title="Data quality">
      <Loaded state={report} what="the quality report">
        {(data) => {
          const reports = data.sources.map(normalizeReport);
          if (reports.length === 0) return <p className="notice notice-info">No resources checked yet.</p>;
          return (
            <>
              {data.generatedAt ? <p className="muted">Report generated {formatDate(data.generatedAt)}.</p> : null}
              <section className="card" aria-labelledby="overview-heading">
                <h2 id="overview-heading">Overview</h2>
                <PassingChart reports={reports} />
                <div className="table-wrap" tabIndex={0} role="region" aria-label="Quality per source table">
                  <table>
                    <caption className="visually-hidden">Resources checked and passing per source</caption>
                    <thead>
                      <tr>
                        <th scope="col">Source</th>
                        <th scope="col" className="num">Checked</th>
                        <th scope="col" className="num">Passing</th>
                        <th scope="col" className="num">Passing share</th>
                        <th scope="col" className="num">Without findings</th>
                      </tr>
                    </thead>
                    <tbody>
                      {reports.map((r) => (
                        <tr key={r.source}>
                          <th scope="row">
                            <SourceBadge source={r.source} /> {r.source}
                          </th>
                          <td className="num">{r.checked}</td>
                          <td className="num">{r.passing}</td>
                          <td className="num">{(r.passingShare * 100).toFixed(1)} %</td>
                          <td className="num">{r.cleanShare === null ? '—' : `${(r.cleanShare * 100).toFixed(1)} %`}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>
              {reports.map((r) => (
                <section key={r.source} className="card" aria-labelledby={`q-${r.source}`}>
                  <h2 id={`q-${r.source}`}>{r.source}: findings by rule</h2>
                  {r.rules.length === 0 ? (
                    <p className="muted">No findings.</p>
                  ) : (
                    <div className="table-wrap" tabIndex={0} role="region" aria-label={`Findings for ${r.source}`}>
                      <table>
                        <caption className="visually-hidden">Findings by rule for {r.source}</caption>
                        <thead>
                          <tr>
                            <th scope="col">Rule</th>
                            <th scope="col">Severity</th>
                            <th scope="col" className="num">Findings</th>
                            <th scope="col" className="num">Resources</th>
                          </tr>
                        </thead>
                        <tbody>
                          {r.rules.map((rule) => (
                            <tr key={rule.rule + (rule.severity ?? '')}>
                              <th scope="row">
                                <code>{rule.rule}</code>
                              </th>
                              <td>{rule.severity ?? '—'}</td>
                              <td className="num">{rule.findings}</td>
                              <td className="num">{rule.resources ?? (rule.rate !== undefined ? `${(rule.rate * 100).toFixed(1)} %` : '—')}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </section>
              ))}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
