/**
 * The identity review queue: pairs the matcher could not decide, side by side with the weight
 * each field contributed (Fellegi-Sunter log2 weights: positive agrees, negative disagrees);
 * a reviewer links them into one person or marks them as not a match.
 */
import { useState } from 'react';
import { api } from '../api.ts';
import { Page } from '../components/page.tsx';
import { SourceBadge } from '../components/source-badge.tsx';
import { ActionFailure, Loaded } from '../components/status.tsx';
import { addressText, displayValue, isSsn, nameText } from '../format.ts';
import type { PatientLike } from '../person/types.ts';
import { useApi } from '../use-api.ts';

interface Side {
  reference: string;
  person?: string | null;
  resource: PatientLike | null;
}

interface ReviewItem {
  id: number;
  recordA: string;
  recordB: string;
  score: number;
  probability: number;
  weights: { comparison?: string; field?: string; level: string; weight: number }[];
  a: Side;
  b: Side;
}


const readers: Record<string, { label: string; read: (p: PatientLike) => string }> = {
  givenName: { label: 'Given name', read: (p) => p.name?.[0]?.given?.join(' ') ?? '' },
  familyName: { label: 'Family name', read: (p) => p.name?.[0]?.family ?? '' },
  birthDate: { label: 'Date of birth', read: (p) => p.birthDate ?? '' },
  sex: { label: 'Sex', read: (p) => p.gender ?? '' },
  phone: { label: 'Phone', read: (p) => p.telecom?.filter((t) => t.system === 'phone').map((t) => t.value).join(', ') ?? '' },
  email: { label: 'Email', read: (p) => p.telecom?.filter((t) => t.system === 'email').map((t) => t.value).join(', ') ?? '' },
  address: { label: 'Address', read: (p) => addressText(p.address?.[0]) },
  ssn: { label: 'SSN', read: (p) => p.identifier?.filter((i) => isSsn(i.system) && i.value).map(displayValue).join(', ') ?? '' },
  identifier: { label: 'Identifiers', read: (p) => p.identifier?.filter((i) => !isSsn(i.system)).map((i) => i.value).join(', ') ?? '' },
};

const sourceOf = (side: Side) => side.resource?.meta?.source ?? side.resource?.identifier?.[0]?.system ?? side.reference;

function ReviewCard({ item, onDecided }: { item: ReviewItem; onDecided: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const a = item.a.resource;
  const b = item.b.resource;
  const title = `${nameText(a?.name?.[0]) || item.recordA} and ${nameText(b?.name?.[0]) || item.recordB}`;

  async function decide(decision: 'link' | 'not-a-match') {
    setBusy(true);
    setError(null);
    try {
      await api(`/identity/review/${item.id}`, { method: 'POST', body: { decision } });
      onDecided(decision === 'link' ? `Linked ${title}.` : `Marked ${title} as not a match.`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <article className="card review" aria-labelledby={`review-${item.id}`} data-review-id={item.id}>
      <h2 id={`review-${item.id}`}>{title}</h2>
      <p className="muted">
        Match probability {(item.probability * 100).toFixed(1)} % · total weight {item.score.toFixed(2)}
      </p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={`Comparison of ${title}`}>
        <table className="side-by-side">
          <caption className="visually-hidden">Fields of record A and record B with the weight of each comparison</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">
                Record A <SourceBadge source={sourceOf(item.a)} />
                <div className="small-text muted">{item.recordA}</div>
              </th>
              <th scope="col">
                Record B <SourceBadge source={sourceOf(item.b)} />
                <div className="small-text muted">{item.recordB}</div>
              </th>
              <th scope="col">Agreement</th>
              <th scope="col">Weight</th>
            </tr>
          </thead>
          <tbody>
            {item.weights.map((w) => {
              const field = w.comparison ?? w.field ?? '';
              const reader = readers[field];
              return (
                <tr key={field} className={w.weight > 0 ? 'agree' : w.weight < 0 ? 'disagree' : ''}>
                  <th scope="row">{reader?.label ?? field}</th>
                  <td>{(a && reader?.read(a)) || <span className="muted">none</span>}</td>
                  <td>{(b && reader?.read(b)) || <span className="muted">none</span>}</td>
                  <td>{w.level}</td>
                  <td className="num">
                    {w.weight > 0 ? '+' : ''}
                    {w.weight.toFixed(2)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="button-row">
        <button type="button" disabled={busy} onClick={() => void decide('link')}>
          Link<span className="visually-hidden"> {title}</span>
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void decide('not-a-match')}>
          Not a match<span className="visually-hidden">: {title}</span>
        </button>
      </div>
      {error ? <ActionFailure error={error} /> : null}
    </article>
  );
}

export function IdentityReviewPage() {
  const queue = useApi<{ items: ReviewItem[] }>('/identity/review?limit=20');
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Page title="Identity review">
      <p className="muted">Record pairs the matcher could not decide on its own. Compare the fields, then link them or mark them as not a match.</p>
      <p role="status" className={message ? 'notice notice-success' : 'visually-hidden'}>
        {message ?? ''}
      </p>
      <Loaded state={queue} what="the review queue">
        {(data) =>
          data.items.length === 0 ? (
            <p className="notice notice-info">The review queue is empty.</p>
          ) : (
            <>
              <p>{data.items.length} pairs to review (first 20).</p>
              {data.items.map((item) => (
                <ReviewCard
                  key={item.id}
                  item={item}
                  onDecided={(m) => {
                    setMessage(m);
                    queue.reload();
                  }}
                />
              ))}
            </>
          )
        }
      </Loaded>
    </Page>
  );
}
