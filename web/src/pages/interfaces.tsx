/**
 * The interface monitor: per-channel counts and ACK latency, throughput over the last hour,
 * recent errors; open a message to read it and what it produced, and reprocess it.
 */
import { useMemo, useState } from 'react';
import { api, query } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { Page } from '../components/page.tsx';
import { ActionFailure, Failure, Loaded, Loading } from '../components/status.tsx';
import { TrendChart } from '../components/trend-chart.tsx';
import { formatDate } from '../format.ts';
import { mayDo, type Me } from '../session.ts';
import { useApi } from '../use-api.ts';
import { minuteRows, type Bucket } from '../monitor.ts';

interface ChannelStats {
  channel: string;
  received: number;
  processed: number;
  filtered: number;
  errored: number;
  dead: number;
  queued: number;
  perSecond: number;
  ackP50Ms: number | null;
  ackP95Ms: number | null;
  lastError: { at: string; messageId: number; message: string } | null;
}

interface MessageSummary {
  id: number;
  channel: string;
  receivedAt: string;
  messageType: string | null;
  controlId: string | null;
  status: string;
  attempts: number;
  error: { stage: string; code: string; message: string; element?: string } | null;
}

interface MessageDetail {
  message: MessageSummary & { text: string; processedAt: string | null };
  outputs: { resourceType: string; id: string; versionId: number }[];
}



const statuses = ['errored', 'dead', 'received', 'processed', 'filtered'];

function ChannelTable({ channels }: { channels: ChannelStats[] }) {
  if (channels.length === 0) return <p className="muted">No messages received yet.</p>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Channels table">
      <table>
        <caption className="visually-hidden">Channels</caption>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col" className="num">Received</th>
            <th scope="col" className="num">Processed</th>
            <th scope="col" className="num">Filtered</th>
            <th scope="col" className="num">Errored</th>
            <th scope="col" className="num">Dead</th>
            <th scope="col" className="num">Queued</th>
            <th scope="col" className="num">Per second</th>
            <th scope="col" className="num">ACK p50 / p95 (ms)</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.channel}>
              <th scope="row">{c.channel}</th>
              <td className="num">{c.received}</td>
              <td className="num">{c.processed}</td>
              <td className="num">{c.filtered}</td>
              <td className={`num ${c.errored > 0 ? 'bad' : ''}`}>{c.errored}</td>
              <td className={`num ${c.dead > 0 ? 'bad' : ''}`}>{c.dead}</td>
              <td className="num">{c.queued}</td>
              <td className="num">{c.perSecond.toFixed(2)}</td>
              <td className="num">
                {c.ackP50Ms ?? '—'} / {c.ackP95Ms ?? '—'}
              </td>
              <td className="small-text">{c.lastError ? `${formatDate(c.lastError.at)}: ${c.lastError.message}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Throughput({ buckets, channels, minutes }: { buckets: Bucket[]; channels: string[]; minutes: number }) {
  const [channel, setChannel] = useState('');
  const rows = useMemo(() => minuteRows(buckets, channel, minutes, new Date()), [buckets, channel, minutes]);
  return (
    <>
      <label>
        Channel
        <select value={channel} onChange={(e) => setChannel(e.target.value)}>
          <option value="">All channels</option>
          {channels.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <TrendChart
        title="Messages per minute, last hour"
        unit="messages"
        xKey="minute"
        xLabel="Minute (UTC)"
        rows={rows}
        curve="linear"
        series={[
          { key: 'received', label: 'Received', colour: '#0b5394' },
          { key: 'processed', label: 'Processed', colour: '#1d6b35' },
          { key: 'errored', label: 'Errored', colour: '#8a1538' },
        ]}
      />
    </>
  );
}

function MessageDialog({ id, mayReprocess, onClose, onReprocessed }: { id: number; mayReprocess: boolean; onClose: () => void; onReprocessed: () => void }) {
  const detail = useApi<MessageDetail>(`/admin/messages/${id}`);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function reprocess() {
    setError(null);
    try {
      await api(`/admin/messages/${id}/reprocess`, { method: 'POST', body: {} });
      setResult('Message queued for reprocessing.');
      onReprocessed();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <Dialog title={`Message ${id}`} open onClose={onClose}>
      {detail.error ? (
        <Failure error={detail.error} what={`message ${id}`} />
      ) : !detail.data ? (
        <Loading what={`message ${id}`} />
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>Channel</dt>
              <dd>{detail.data.message.channel}</dd>
            </div>
            <div>
              <dt>Type</dt>
              <dd>{detail.data.message.messageType ?? '—'}</dd>
            </div>
            <div>
              <dt>Control id</dt>
              <dd>{detail.data.message.controlId ?? '—'}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>{detail.data.message.status}</dd>
            </div>
            <div>
              <dt>Received</dt>
              <dd>{formatDate(detail.data.message.receivedAt)}</dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd>{detail.data.message.attempts}</dd>
            </div>
          </dl>
          {detail.data.message.error ? (
            <p className="notice notice-error">
              {detail.data.message.error.stage} · {detail.data.message.error.code}
              {detail.data.message.error.element ? ` at ${detail.data.message.error.element}` : ''}: {detail.data.message.error.message}
            </p>
          ) : null}
          <h3>Content</h3>
          <pre className="message-text" tabIndex={0} aria-label="Message content">
            {detail.data.message.text}
          </pre>
          <h3>Produced</h3>
          {detail.data.outputs.length === 0 ? (
            <p className="muted">Nothing stored from this message.</p>
          ) : (
            <ul className="plain">
              {detail.data.outputs.map((o) => (
                <li key={`${o.resourceType}/${o.id}`}>
                  {o.resourceType}/{o.id} (version {o.versionId})
                </li>
              ))}
            </ul>
          )}
          <div className="button-row">
            <button type="button" onClick={() => void reprocess()} disabled={!mayReprocess || result !== null} aria-describedby={mayReprocess ? undefined : `no-reprocess-${id}`}>
              Reprocess
            </button>
            {mayReprocess ? null : (
              <span id={`no-reprocess-${id}`} className="muted">
                Your role may not reprocess messages.
              </span>
            )}
          </div>
          {result ? (
            <p role="status" className="notice notice-success">
              {result}
            </p>
          ) : null}
          {error ? <ActionFailure error={error} /> : null}
        </>
      )}
    </Dialog>
  );
}

export function InterfacesPage({ me }: { me: Me }) {
  const channels = useApi<{ channels: ChannelStats[] }>('/admin/channels');
  const throughput = useApi<{ buckets: Bucket[]; minutes?: number }>('/admin/channels/throughput?minutes=60');
  const [status, setStatus] = useState('errored');
  const messages = useApi<{ messages: MessageSummary[] }>(`/admin/messages${query({ status, limit: 25 })}`);
  const [open, setOpen] = useState<number | null>(null);

  return (
    <Page
      title="Interface monitor"
      actions={
        <button
          type="button"
          className="secondary"
          onClick={() => {
            channels.reload();
            throughput.reload();
            messages.reload();
          }}
        >
          Refresh
        </button>
      }
    >
      <section aria-labelledby="channels-heading" className="card">
        <h2 id="channels-heading">Channels</h2>
        <Loaded state={channels} what="channels">
          {(data) => <ChannelTable channels={data.channels} />}
        </Loaded>
      </section>
      <section aria-labelledby="throughput-heading" className="card">
        <h2 id="throughput-heading">Throughput</h2>
        <Loaded state={throughput} what="throughput">
          {(data) => <Throughput buckets={data.buckets} minutes={data.minutes ?? 60} channels={channels.data?.channels.map((c) => c.channel) ?? [...new Set(data.buckets.map((b) => b.channel))]} />}
        </Loaded>
      </section>
      <section aria-labelledby="messages-heading" className="card">
        <h2 id="messages-heading">Recent messages</h2>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <Loaded state={messages} what="messages">
          {(data) =>
            data.messages.length === 0 ? (
              <p className="muted">No {status} messages.</p>
            ) : (
              <div className="table-wrap" tabIndex={0} role="region" aria-label="Messages table">
                <table>
                  <caption className="visually-hidden">Recent {status} messages, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Message</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Received</th>
                      <th scope="col">Type</th>
                      <th scope="col">Status</th>
                      <th scope="col">Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.messages.map((m) => (
                      <tr key={m.id}>
                        <th scope="row">
                          <button type="button" className="link" onClick={() => setOpen(m.id)}>
                            Open message {m.id}
                          </button>
                        </th>
                        <td>{m.channel}</td>
                        <td className="nowrap">{formatDate(m.receivedAt)}</td>
                        <td>{m.messageType ?? '—'}</td>
                        <td>{m.status}</td>
                        <td className="small-text">{m.error ? `${m.error.stage}: ${m.error.message}` : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loaded>
      </section>
      {open !== null ? (
        <MessageDialog
          id={open}
          mayReprocess={mayDo(me, 'InboundMessage', 'update')}
          onClose={() => setOpen(null)}
          onReprocessed={() => {
            channels.reload();
            messages.reload();
          }}
        />
      ) : null}
    </Page>
  );
}
