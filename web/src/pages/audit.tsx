/**
 * The audit trail for auditors: recent AuditEvents from the FHIR API (the same search the
 * policy and audit govern) and a check of the hash chain (/admin/audit/verify).
 */
import { useState } from 'react';
import { api } from '../api.ts';
import { Page } from '../components/page.tsx';
import { ActionFailure, Loaded } from '../components/status.tsx';
import { formatDate } from '../format.ts';
import { useApi } from '../use-api.ts';

interface AuditEvent {
  id: string;
  recorded?: string;
  action?: string;
  outcome?: string;
  subtype?: { code?: string; display?: string }[];
  agent?: { who?: { display?: string; identifier?: { value?: string } }; altId?: string }[];
  entity?: { what?: { reference?: string }; query?: string; description?: string }[];
  outcomeDesc?: string;
}

const outcomeText: Record<string, string> = { '0': 'success', '4': 'minor failure', '8': 'serious failure', '12': 'major failure' };

export function AuditPage() {
  const events = useApi<{ entry?: { resource: AuditEvent }[] }>('/fhir/R4/AuditEvent?_count=50&_sort=-date');
  const [chain, setChain] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function verify() {
    setError(null);
    setChain(null);
    try {
      const result = await api<{ ok: boolean; checked?: number }>('/admin/audit/verify');
      setChain(result.ok ? `The audit chain is intact${result.checked !== undefined ? ` (${result.checked} events checked)` : ''}.` : 'The audit chain is broken: an event was altered or removed.');
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Page title="Audit trail">
      <div className="button-row">
        <button type="button" onClick={() => void verify()}>
          Verify audit chain
        </button>
      </div>
      {chain ? (
        <p role="status" className="notice notice-info">
          {chain}
        </p>
      ) : null}
      {error ? <ActionFailure error={error} /> : null}
      <Loaded state={events} what="audit events">
        {(bundle) => (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit events table">
            <table>
              <caption>Latest 50 audit events</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Interaction</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {(bundle.entry ?? []).map(({ resource: e }) => (
                  <tr key={e.id}>
                    <td className="nowrap">{formatDate(e.recorded)}</td>
                    <td>{e.agent?.[0]?.who?.display ?? e.agent?.[0]?.who?.identifier?.value ?? e.agent?.[0]?.altId ?? '—'}</td>
                    <td>{e.subtype?.[0]?.display ?? e.subtype?.[0]?.code ?? e.action ?? '—'}</td>
                    <td>{outcomeText[e.outcome ?? ''] ?? e.outcome ?? '—'}</td>
                    <td className="small-text">{e.entity?.[0]?.what?.reference ?? e.entity?.[0]?.description ?? e.outcomeDesc ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </Page>
  );
}
