/**
 * One signal: why it was raised (explanation, facts, evidence from each source), the next-best
 * action, and the lifecycle actions: acknowledge, resolve, dismiss (with a reason), assign to me.
 */
import { useId, useState } from 'react';
import { api } from '../api.ts';
import { assigneeText, formatDate, titleCase } from '../format.ts';
import { assigneeOf, type Signal } from '../person/types.ts';
import { Link } from '../router.tsx';
import { Dialog } from './dialog.tsx';
import { SourceBadge } from './source-badge.tsx';
import { ActionFailure, Failure, Loading } from './status.tsx';
import { useApi } from '../use-api.ts';

type Action = 'acknowledge' | 'resolve' | 'dismiss' | 'assign';

function EvidenceDialog({ reference, onClose }: { reference: string; onClose: () => void }) {
  const resource = useApi<Record<string, unknown>>(`/fhir/R4/${reference}`);
  return (
    <Dialog title={`Evidence ${reference}`} open onClose={onClose}>
      {resource.error ? <Failure error={resource.error} what={reference} /> : resource.data ? <pre className="json" tabIndex={0} aria-label={`${reference} as FHIR JSON`}>{JSON.stringify(resource.data, null, 2)}</pre> : <Loading what={reference} />}
    </Dialog>
  );
}

export function SignalCard({ signal, onChanged, showPerson = false }: { signal: Signal; onChanged: () => void; showPerson?: boolean }) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [evidence, setEvidence] = useState<string | null>(null);
  const status = signal.lifecycle.status;

  async function act(action: Action) {
    if (action === 'dismiss' && reason.trim() === '') {
      setError(new Error('Give a reason to dismiss a signal.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api(`/signals/${encodeURIComponent(signal.id)}/${action}`, { method: 'POST', body: action === 'assign' || reason.trim() === '' ? {} : { reason: reason.trim() } });
      setDone(action === 'assign' ? 'Assigned to you.' : `Signal ${action === 'acknowledge' ? 'acknowledged' : action === 'resolve' ? 'resolved' : 'dismissed'}.`);
      setReason('');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className={`signal priority-${signal.priority}`} aria-labelledby={`${id}-title`} data-signal-id={signal.id} data-kind={signal.kind}>
      <header>
        <h3 id={`${id}-title`}>{signal.title}</h3>
        <p className="signal-meta">
          <span className={`priority priority-${signal.priority}`}>{titleCase(signal.priority)} priority</span>
          <span>{titleCase(signal.kind)}</span>
          <span>Status: {status}</span>
          {signal.dueBy ? <span>Due {signal.dueBy}</span> : null}
          {assigneeOf(signal) ? <span>Assigned to {assigneeText(assigneeOf(signal)!)}</span> : null}
          {showPerson ? (
            <Link to={`/person/${encodeURIComponent(signal.person.id)}`}>
              Open person<span className="visually-hidden"> for {signal.title}</span>
            </Link>
          ) : null}
        </p>
      </header>
      <p>{signal.explanation}</p>
      {signal.facts && signal.facts.length > 0 ? (
        <dl className="facts">
          {signal.facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {signal.evidence.length > 0 ? (
        <div>
          <h4>Evidence</h4>
          <ul className="plain evidence">
            {signal.evidence.map((e) => (
              <li key={e.reference}>
                <SourceBadge source={e.sourceSystem} />{' '}
                <button type="button" className="link" onClick={() => setEvidence(e.reference)}>
                  {e.display ?? e.reference}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {signal.actions.length > 0 ? (
        <p className="next-action">
          <strong>Next best action:</strong> {signal.actions.map((a) => a.display).join('; ')}
        </p>
      ) : null}
      <p className="muted small-text">
        Raised {formatDate(signal.raisedAt)} by rule {signal.rule.id} v{signal.rule.version}
        {signal.lifecycle.reason ? ` · last note: ${signal.lifecycle.reason}` : ''}
      </p>
      {status === 'open' || status === 'acknowledged' ? (
        <div className="signal-actions">
          <label>
            Reason<span className="visually-hidden"> for {signal.title}</span>
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Required to dismiss" />
          </label>
          <div className="button-row">
            {status === 'open' ? (
              <button type="button" disabled={busy} onClick={() => void act('acknowledge')}>
                Acknowledge
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={() => void act('resolve')}>
              Resolve
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => void act('dismiss')}>
              Dismiss
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => void act('assign')}>
              Assign to me
            </button>
          </div>
        </div>
      ) : null}
      {done ? (
        <p role="status" className="notice notice-success">
          {done}
        </p>
      ) : null}
      {error ? <ActionFailure error={error} /> : null}
      {evidence ? <EvidenceDialog reference={evidence} onClose={() => setEvidence(null)} /> : null}
    </article>
  );
}
