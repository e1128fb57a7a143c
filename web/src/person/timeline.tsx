/** One timeline across every source, newest first, filterable by kind and by source system. */
import { useMemo, useState } from 'react';
import { SourceBadge } from '../components/source-badge.tsx';
import { formatDate, siloLabel, titleCase } from '../format.ts';
import type { TimelineItem } from './types.ts';

const pageSize = 50;

function valueText(item: TimelineItem): string {
  if (item.components && item.components.length > 0) return item.components.map((c) => `${c.value}`).join('/') + (item.components[0]?.unit ? ` ${item.components[0].unit}` : '');
  if (item.value) return `${item.value.value}${item.value.unit ? ` ${item.value.unit}` : ''}`;
  return '';
}

export function sourceKey(item: TimelineItem): string {
  return item.source.silo ?? item.source.system ?? 'unknown';
}

export function TimelineView({ items, withheld }: { items: TimelineItem[]; withheld: string[] }) {
  const [kind, setKind] = useState('');
  const [source, setSource] = useState('');
  const [shown, setShown] = useState(pageSize);
  const kinds = useMemo(() => [...new Set(items.map((i) => i.kind))].sort(), [items]);
  const sources = useMemo(() => [...new Set(items.map(sourceKey))].sort(), [items]);
  const filtered = items.filter((i) => (kind === '' || i.kind === kind) && (source === '' || sourceKey(i) === source));

  return (
    <>
      {withheld.length > 0 ? (
        <div className="notice notice-forbidden" role="note">
          <p>
            Your role may not see {withheld.length} kinds of records; the hub's access policy leaves them out of this timeline.
          </p>
          <details>
            <summary>Which kinds</summary>
            <p className="small-text">{withheld.join(', ')}</p>
          </details>
        </div>
      ) : null}
      <div className="filters" role="group" aria-label="Timeline filters">
        <label>
          Kind
          <select value={kind} onChange={(e) => { setKind(e.target.value); setShown(pageSize); }}>
            <option value="">All kinds</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {titleCase(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select value={source} onChange={(e) => { setSource(e.target.value); setShown(pageSize); }}>
            <option value="">All sources</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {siloLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <p role="status" className="muted">
          {filtered.length} of {items.length} items
        </p>
      </div>
      {filtered.length === 0 ? (
        <p className="muted">No items match these filters.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Timeline table">
          <table className="timeline">
            <caption className="visually-hidden">Timeline, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Kind</th>
                <th scope="col">What</th>
                <th scope="col">Value</th>
                <th scope="col">Status</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {filtered.slice(0, shown).map((item) => (
                <tr key={item.ref} id={`item-${item.ref.replace('/', '-')}`}>
                  <td className="nowrap">{formatDate(item.date)}</td>
                  <td>
                    <span className={`kind kind-${item.kind}`}>{titleCase(item.kind)}</span>
                  </td>
                  <td>{item.display}</td>
                  <td className="nowrap">{valueText(item)}</td>
                  <td>{item.status ?? ''}</td>
                  <td>
                    <SourceBadge source={sourceKey(item)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {filtered.length > shown ? (
        <button type="button" className="secondary" onClick={() => setShown(shown + pageSize)}>
          Show {Math.min(pageSize, filtered.length - shown)} more
        </button>
      ) : null}
    </>
  );
}
