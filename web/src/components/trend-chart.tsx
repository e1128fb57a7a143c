/**
 * A line chart for a measured series over time, with its numbers as a table on demand: the
 * chart is for the eye, the table for screen readers and for reading exact values.
 */
import { useId } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Series {
  key: string;
  label: string;
  colour: string;
}

export function TrendChart({
  title,
  unit,
  rows,
  series,
  xKey = 'date',
  xLabel = 'Date',
  thresholds = [],
  description,
  curve = 'monotone',
}: {
  title: string;
  unit: string;
  rows: Record<string, string | number | undefined>[];
  series: Series[];
  xKey?: string;
  xLabel?: string;
  thresholds?: { value: number; label: string }[];
  description?: string;
  /** `linear` for counts per interval, where a smoothed curve would suggest values between them. */
  curve?: 'monotone' | 'linear';
}) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong> <span className="muted">({unit})</span>
        {description ? <span className="muted small-text"> {description}</span> : null}
      </figcaption>
      {rows.length === 0 ? (
        <p className="muted">No results on record.</p>
      ) : (
        <>
          <div className="chart-canvas" aria-hidden="true">
            <ResponsiveContainer width="100%" height={220}>
              <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
                <CartesianGrid stroke="#d0d4d9" strokeDasharray="3 3" />
                <XAxis dataKey={xKey} tick={{ fill: '#333', fontSize: 12 }} />
                <YAxis tick={{ fill: '#333', fontSize: 12 }} domain={['auto', 'auto']} width={44} />
                <Tooltip />
                {series.length > 1 ? <Legend /> : null}
                {thresholds.map((t) => (
                  <ReferenceLine key={t.label} y={t.value} stroke="#8a1538" strokeDasharray="4 4" label={{ value: t.label, fill: '#8a1538', fontSize: 11, position: 'insideTopRight' }} />
                ))}
                {series.map((s) => (
                  <Line key={s.key} type={curve} dataKey={s.key} name={s.label} stroke={s.colour} strokeWidth={2} dot={rows.length > 40 ? false : { r: 3 }} isAnimationActive={false} connectNulls />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <details>
            <summary>
              Show data<span className="visually-hidden"> for {title}</span>
            </summary>
            <table className="compact">
              <caption className="visually-hidden">{title} values</caption>
              <thead>
                <tr>
                  <th scope="col">{xLabel}</th>
                  {series.map((s) => (
                    <th key={s.key} scope="col">
                      {s.label} ({unit})
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={`${String(r[xKey])}|${i}`}>
                    <th scope="row">{r[xKey]}</th>
                    {series.map((s) => (
                      <td key={s.key}>{r[s.key] ?? '—'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
