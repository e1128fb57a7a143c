/** Golden demographics: each field with its source badge, the rule that chose it, and the other silos' values on demand. */
import { SourceBadge } from '../components/source-badge.tsx';
import { displayValue, identifierLabel } from '../format.ts';
import { fieldViews, identifierRows, ruleText } from './conflicts.ts';
import type { PersonDetail } from './types.ts';

export function Demographics({ detail }: { detail: PersonDetail }) {
  const views = fieldViews(detail);
  if (!detail.golden) return <p className="muted">This person has no golden record yet.</p>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Demographics table">
      <table className="demographics">
        <caption className="visually-hidden">Golden demographics with source and survivorship rule</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Source</th>
            <th scope="col">Why this value</th>
            <th scope="col">Other values</th>
          </tr>
        </thead>
        <tbody>
          {views.map((v) => (
            <tr key={v.element} data-field={v.element}>
              <th scope="row">{v.label}</th>
              <td>{v.value || <span className="muted">none</span>}</td>
              <td>{v.source ? <SourceBadge source={v.source} /> : <span className="muted">—</span>}</td>
              <td>{ruleText(v.rule, v.source)}</td>
              <td>
                {v.others.length === 0 ? (
                  <span className="muted">All sources agree</span>
                ) : (
                  <details>
                    <summary>
                      Show other values ({v.others.length})<span className="visually-hidden"> for {v.label}</span>
                    </summary>
                    <ul className="plain">
                      {v.others.map((o) => (
                        <li key={o.reference}>
                          <SourceBadge source={o.source} /> {o.value}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Identifiers({ detail }: { detail: PersonDetail }) {
  const rows = identifierRows(detail);
  if (rows.length === 0) return <p className="muted">No identifiers.</p>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Identifiers table">
      <table>
        <caption className="visually-hidden">Identifiers from every source system</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Type</th>
            <th scope="col">Value</th>
            <th scope="col">System</th>
            <th scope="col">Source record</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.system}|${r.value}`}>
              <td>
                <SourceBadge source={r.source} />
              </td>
              <td>{identifierLabel({ system: r.system })}</td>
              <td>
                <code>{displayValue(r)}</code>
              </td>
              <td className="small-text">{r.system}</td>
              <td className="small-text">{r.reference}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
