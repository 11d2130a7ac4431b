/** Subscribers (producer): requests to approve or reject, the active list to suspend or reinstate. */
import { useEffect } from 'react';
import { Badge } from '../components/Badge.js';
import { ErrorText } from '../components/ErrorText.js';
import { formatAgo } from '../format.js';
import { useSubscribers } from '../stores/subscribers.js';
import type { SubscriberView } from '../../shared/models.js';

export function Subscribers() {
  const { items, loaded, error, note, load } = useSubscribers();
  useEffect(() => { void load(); }, [load]);
  const requests = items.filter((s) => s.state === 'pending');
  const current = items.filter((s) => s.state === 'active' || s.state === 'approved' || s.state === 'suspended');
  const past = items.filter((s) => s.state === 'rejected' || s.state === 'cancelled');
  return (
    <>
      <h1>Subscribers</h1>
      <ErrorText error={error} />
      {note && <div className="notice" role="status">{note}</div>}
      <section className="panel" aria-label="Requests">
        <h2>Requests</h2>
        {loaded && requests.length === 0 ? <p className="muted">No one is waiting for an answer.</p> : <SubscriberTable rows={requests} label="Subscription requests" />}
      </section>
      <section className="panel" aria-label="Subscribers list">
        <h2>Subscribers</h2>
        {loaded && current.length === 0 ? <p className="muted">No subscribers yet.</p> : <SubscriberTable rows={current} label="Active subscribers" />}
        <p className="muted small">Suspending stops new releases from reaching a subscriber; data they already received stays with them.</p>
      </section>
      {past.length > 0 && (
        <section className="panel" aria-label="Past requests">
          <h2>Past</h2>
          <SubscriberTable rows={past} label="Past subscriptions" />
        </section>
      )}
    </>
  );
}

function SubscriberTable({ rows, label }: { rows: SubscriberView[]; label: string }) {
  const { busyId, act } = useSubscribers();
  if (rows.length === 0) return null;
  return (
    <table aria-label={label}>
      <thead><tr><th>Subscriber</th><th>Dataset</th><th>State</th><th>Since</th><th /></tr></thead>
      <tbody>
        {rows.map((s) => {
          const who = s.consumerName ?? s.consumerId;
          const busy = busyId === s.id;
          return (
            <tr key={s.id}>
              <td>{who}{s.message && <div className="muted small">“{s.message}”</div>}</td>
              <td>{s.datasetName}</td>
              <td><Badge state={s.state} /></td>
              <td>{formatAgo(s.updatedAt)}</td>
              <td><div className="row">
                {s.state === 'pending' && (
                  <>
                    <button type="button" className="primary" disabled={busy} onClick={() => void act(s.id, 'approve')} aria-label={`Approve ${who} for ${s.datasetName}`}>Approve</button>
                    <button type="button" className="danger" disabled={busy} onClick={() => void act(s.id, 'reject')} aria-label={`Reject ${who} for ${s.datasetName}`}>Reject</button>
                  </>
                )}
                {(s.state === 'active' || s.state === 'approved') && (
                  <button type="button" className="danger" disabled={busy} onClick={() => void act(s.id, 'suspend')} aria-label={`Suspend ${who} for ${s.datasetName}`}>Suspend</button>
                )}
                {s.state === 'suspended' && (
                  <button type="button" disabled={busy} onClick={() => void act(s.id, 'reinstate')} aria-label={`Reinstate ${who} for ${s.datasetName}`}>Reinstate</button>
                )}
              </div></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
