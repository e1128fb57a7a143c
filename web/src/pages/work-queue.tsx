/**
 * The work queue: open and acknowledged signals across people, highest priority and earliest
 * due first (the hub sorts), filterable by kind and by "assigned to me"; assign, acknowledge,
 * or open the person to act with the full picture.
 */
import { useState } from 'react';
import { api, query } from '../api.ts';
import { Page } from '../components/page.tsx';
import { SignalCard } from '../components/signal-card.tsx';
import { Dialog } from '../components/dialog.tsx';
import { ActionFailure, Loaded } from '../components/status.tsx';
import { assigneeText, formatDate, titleCase } from '../format.ts';
import { assigneeOf, type Signal } from '../person/types.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { Me } from '../session.ts';
import { useApi } from '../use-api.ts';

/** Open signals are the queue; acknowledged ones are being worked on and leave it unless asked for. */
const statuses = [
  { value: 'open', label: 'Open' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'open,acknowledged', label: 'Open or acknowledged' },
];

const kinds = ['care-gap', 'duplicate-test', 'medication-conflict', 'discharge-without-follow-up', 'readmission-risk', 'contact-drift'];

function Row({ signal, me, onChanged, onOpen }: { signal: Signal; me: Me; onChanged: () => void; onOpen: (s: Signal) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function act(action: 'assign' | 'acknowledge') {
    setBusy(true);
    setError(null);
    try {
      await api(`/signals/${encodeURIComponent(signal.id)}/${action}`, { method: 'POST', body: {} });
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <tr data-signal-id={signal.id}>
      <td>
        <span className={`priority priority-${signal.priority}`}>{titleCase(signal.priority)}</span>
      </td>
      <td className="nowrap">{signal.dueBy ?? '—'}</td>
      <td>{titleCase(signal.kind)}</td>
      <th scope="row">
        <button type="button" className="link" onClick={() => onOpen(signal)}>
          {signal.title}
        </button>
      </th>
      <td>
        <Link to={`/person/${encodeURIComponent(signal.person.id)}#signals`}>
          Open person<span className="visually-hidden"> for {signal.title}</span>
        </Link>
      </td>
      <td>{signal.lifecycle.status}</td>
      <td>{assigneeOf(signal) ? assigneeText(assigneeOf(signal)!, me.username) : <span className="muted">unassigned</span>}</td>
      <td>
        <div className="button-row">
          <button type="button" className="small" disabled={busy} onClick={() => void act('assign')}>
            Assign to me<span className="visually-hidden">: {signal.title}</span>
          </button>
          {signal.lifecycle.status === 'open' ? (
            <button type="button" className="small secondary" disabled={busy} onClick={() => void act('acknowledge')}>
              Acknowledge<span className="visually-hidden">: {signal.title}</span>
            </button>
          ) : null}
        </div>
        {error ? <ActionFailure error={error} /> : null}
      </td>
    </tr>
  );
}

export function WorkQueuePage({ me }: { me: Me }) {
  const { search } = useLocation();
  const kind = search.get('kind') ?? '';
  const mine = search.get('assignee') === 'me';
  const status = statuses.some((s) => s.value === search.get('status')) ? search.get('status')! : 'open';
  const signals = useApi<{ signals: Signal[] }>(`/signals${query({ status, kind, assignee: mine ? 'me' : undefined, limit: 200 })}`);
  const [open, setOpen] = useState<Signal | null>(null);

  const setFilter = (next: { kind?: string; mine?: boolean; status?: string }) => {
    const k = next.kind ?? kind;
    const m = next.mine ?? mine;
    const st = next.status ?? status;
    navigate(`/work-queue${query({ kind: k, status: st === 'open' ? undefined : st, assignee: m ? 'me' : undefined })}`, { replace: true });
  };

  return (
    <Page title="Work queue">
      <p className="muted">Signals across people, highest priority and earliest due first. Acknowledging a signal takes it out of the open queue.</p>
      <div className="filters" role="group" aria-label="Work queue filters">
        <label>
          Kind
          <select value={kind} onChange={(e) => setFilter({ kind: e.target.value })}>
            <option value="">All kinds</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {titleCase(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setFilter({ status: e.target.value })}>
            {statuses.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={mine} onChange={(e) => setFilter({ mine: e.target.checked })} />
          Assigned to me
        </label>
      </div>
      <Loaded state={signals} what="the work queue">
        {(data) =>
          data.signals.length === 0 ? (
            <p role="status" className="notice notice-info">
              Nothing in the queue for these filters.
            </p>
          ) : (
            <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="queue-caption">
              <table>
                <caption id="queue-caption">
                  <span role="status">{data.signals.length} signals</span>
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Priority</th>
                    <th scope="col">Due</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Signal</th>
                    <th scope="col">Person</th>
                    <th scope="col">Status</th>
                    <th scope="col">Assignee</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {data.signals.map((s) => (
                    <Row key={s.id} signal={s} me={me} onChanged={signals.reload} onOpen={setOpen} />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {open ? (
        <Dialog title="Signal" open onClose={() => setOpen(null)}>
          <SignalCard
            signal={open}
            showPerson
            onChanged={() => {
              signals.reload();
            }}
          />
          <p className="muted small-text">Raised {formatDate(open.raisedAt)}</p>
        </Dialog>
      ) : null}
    </Page>
  );
}
