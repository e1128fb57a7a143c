/** Coverage (payer plans) and the care team, as the timeline endpoint reports them. */
import { SourceBadge } from '../components/source-badge.tsx';
import type { Coverage, Timeline } from './types.ts';

const planOf = (c: Coverage) => c.class?.find((k) => (k.type?.coding?.[0]?.code ?? k.type?.text) === 'plan') ?? c.class?.[0];

export function CoverageList({ coverage }: { coverage: Coverage[] }) {
  if (coverage.length === 0) return <p className="muted">No coverage on record.</p>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Coverage table">
      <table>
        <caption className="visually-hidden">Coverage</caption>
        <thead>
          <tr>
            <th scope="col">Payer</th>
            <th scope="col">Plan</th>
            <th scope="col">Member id</th>
            <th scope="col">Period</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {coverage.map((c, i) => {
            const plan = planOf(c);
            return (
              <tr key={c.id ?? i}>
                <td>{c.payor?.map((p) => p.display ?? p.reference).join(', ') || '—'}</td>
                <td>{plan?.name ?? plan?.value ?? c.type?.text ?? c.type?.coding?.[0]?.display ?? '—'}</td>
                <td>{c.subscriberId ?? c.identifier?.[0]?.value ?? '—'}</td>
                <td>
                  {c.period?.start ?? '…'} to {c.period?.end ?? 'ongoing'}
                </td>
                <td>{c.status ?? '—'}</td>
                <td>
                  <SourceBadge source={c.meta?.source ?? 'payer'} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function CareTeam({ team }: { team: Timeline['careTeam'] }) {
  if (team.length === 0) return <p className="muted">No care team on record.</p>;
  return (
    <ul className="care-team">
      {team.map((m, i) => (
        <li key={`${m.name}|${i}`}>
          <strong>{m.name}</strong>
          {m.role ? <span> · {m.role}</span> : null} {m.source ? <SourceBadge source={m.source} /> : null}
        </li>
      ))}
    </ul>
  );
}
