/**
 * The 360° view of a person: open signals first (what to do), then golden demographics with
 * survivorship, identifiers from every silo, coverage, care team, lab trends and one timeline
 * across all sources. Each section loads on its own, so a section the role may not see says
 * so and the rest still shows.
 */
import { useEffect, useState } from 'react';
import { api, ApiError, query } from '../api.ts';
import { Page } from '../components/page.tsx';
import { SignalCard } from '../components/signal-card.tsx';
import { SourceBadge } from '../components/source-badge.tsx';
import { Failure, Loaded, Loading } from '../components/status.tsx';
import { nameText } from '../format.ts';
import { CareTeam, CoverageList } from '../person/coverage.tsx';
import { Demographics, Identifiers } from '../person/demographics.tsx';
import { LabTrends } from '../person/lab-trends.tsx';
import { TimelineView } from '../person/timeline.tsx';
import type { PersonDetail, Signal, Timeline } from '../person/types.ts';
import { navigate } from '../router.tsx';
import type { Me } from '../session.ts';
import { personOfRecord } from '../person/resolve.ts';
import { useApi } from '../use-api.ts';

const sections = [
  { id: 'signals', label: 'Open signals' },
  { id: 'demographics', label: 'Demographics' },
  { id: 'identifiers', label: 'Identifiers' },
  { id: 'coverage', label: 'Coverage and care team' },
  { id: 'trends', label: 'Lab trends' },
  { id: 'timeline', label: 'Timeline' },
];

function Section({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-heading`} className="card">
      <h2 id={`${id}-heading`}>{label}</h2>
      {children}
    </section>
  );
}

const priorityRank: Record<string, number> = { high: 0, moderate: 1, low: 2 };

/**
 * Open signals about the person or any of their source records: a signal is raised on the
 * record it was found in, and the 360° view shows them all, highest priority and earliest due first.
 */
function usePersonSignals(id: string, detail: PersonDetail | null) {
  const [state, setState] = useState<{ data: { signals: Signal[] } | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const ids = detail ? [...new Set([id, ...detail.sources.map((s) => s.reference.split('/')[1] ?? '')].filter(Boolean))] : null;
  const key = ids?.join(',') ?? null;
  useEffect(() => {
    if (key === null) return;
    let current = true;
    Promise.all(key.split(',').map((p) => api<{ signals: Signal[] }>(`/signals${query({ person: p, status: 'open,acknowledged' })}`))).then(
      (answers) => {
        const byId = new Map(answers.flatMap((a) => a.signals).map((s) => [s.id, s]));
        const merged = [...byId.values()].sort((a, b) => (priorityRank[a.priority] ?? 3) - (priorityRank[b.priority] ?? 3) || (a.dueBy ?? '9999').localeCompare(b.dueBy ?? '9999'));
        if (current) setState({ data: { signals: merged }, error: null, loading: false });
      },
      (error: unknown) => current && setState({ data: null, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [key, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function PersonPage({ id }: { id: string; me: Me }) {
  const base = `/identity/persons/${encodeURIComponent(id)}`;
  const detail = useApi<PersonDetail>(base);
  const timeline = useApi<Timeline>(`${base}/timeline`);
  const signals = usePersonSignals(id, detail.data);
  const name = detail.data?.golden ? nameText(detail.data.golden.name?.[0]) : '';
  const sourceCount = detail.data?.sources.length ?? 0;

  const [resolving, setResolving] = useState<'no' | 'trying' | 'failed'>('no');
  const notFound = detail.error instanceof ApiError && detail.error.status === 404;
  useEffect(() => {
    if (!notFound || resolving !== 'no') return;
    setResolving('trying');
    personOfRecord(id).then(
      (person) => (person && person !== id ? navigate(`/person/${encodeURIComponent(person)}${location.hash}`, { replace: true }) : setResolving('failed')),
      () => setResolving('failed'),
    );
  }, [notFound, resolving, id]);

  if (notFound && resolving !== 'failed') {
    return (
      <Page title="Person">
        <Loading what="the person this record belongs to" />
      </Page>
    );
  }
  if (detail.error) {
    return (
      <Page title="Person">
        <Failure error={detail.error} what="this person" />
      </Page>
    );
  }
  return (
    <Page title={name || 'Person'} heading={name || (detail.loading ? 'Loading person…' : `Person ${id}`)}>
      {detail.data ? (
        <p className="person-summary">
          {detail.data.golden?.birthDate ? <span>Born {detail.data.golden.birthDate}</span> : null}
          {detail.data.golden?.gender ? <span>{detail.data.golden.gender}</span> : null}
          <span>
            {sourceCount} source {sourceCount === 1 ? 'record' : 'records'}:{' '}
            {[...new Set(detail.data.sources.map((s) => s.source))].map((s) => (
              <SourceBadge key={s} source={s} />
            ))}
          </span>
          <span className="muted small-text">Person id {id}</span>
        </p>
      ) : null}
      <nav aria-label="Sections of this record" className="in-page">
        <ul>
          {sections.map((s) => (
            <li key={s.id}>
              <a href={`#${s.id}`}>{s.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <Section id="signals" label="Open signals">
        <Loaded state={signals} what="this person's signals">
          {(data) =>
            data.signals.length === 0 ? (
              <p className="muted">No open signals.</p>
            ) : (
              <div className="signal-list">
                {data.signals.map((s) => (
                  <SignalCard key={s.id} signal={s} onChanged={signals.reload} />
                ))}
              </div>
            )
          }
        </Loaded>
      </Section>
      <Section id="demographics" label="Demographics">
        {detail.data ? <Demographics detail={detail.data} /> : <Loading what="demographics" />}
      </Section>
      <Section id="identifiers" label="Identifiers">
        {detail.data ? <Identifiers detail={detail.data} /> : <Loading what="identifiers" />}
      </Section>
      <Section id="coverage" label="Coverage and care team">
        <Loaded state={timeline} what="coverage and care team">
          {(data) => (
            <>
              <h3>Coverage</h3>
              <CoverageList coverage={data.coverage} />
              <h3>Care team</h3>
              <CareTeam team={data.careTeam} />
            </>
          )}
        </Loaded>
      </Section>
      <Section id="trends" label="Lab trends">
        <Loaded state={timeline} what="lab results">
          {(data) => <LabTrends items={data.items} withheld={data.withheld} />}
        </Loaded>
      </Section>
      <Section id="timeline" label="Timeline">
        <Loaded state={timeline} what="the timeline">
          {(data) => <TimelineView items={data.items} withheld={data.withheld} />}
        </Loaded>
      </Section>
    </Page>
  );
}
