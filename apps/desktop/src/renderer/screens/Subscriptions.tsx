/** My subscriptions: state, last imported release, local rows, and a way to open the data. */
import { useEffect } from 'react';
import { Badge } from '../components/Badge.js';
import { ErrorText } from '../components/ErrorText.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { formatAgo, formatCount, percent } from '../format.js';
import { useData } from '../stores/data.js';
import { useRoute } from '../stores/route.js';
import { useSubscriptions } from '../stores/subscriptions.js';
import { useSync } from '../stores/sync.js';

export function Subscriptions() {
  const { items, loaded, error, load, unsubscribe } = useSubscriptions();
  const go = useRoute((r) => r.go);
  const transfers = useSync((s) => s.transfers);
  const imports = useSync((s) => s.imports);

  useEffect(() => { void load(); }, [load]);

  function open(table: string) {
    go('data', { table });
    void useData.getState().open(table);
  }

  return (
    <>
      <h1>Subscriptions</h1>
      <ErrorText error={error} />
      <section className="panel">
        {loaded && items.length === 0 && <p className="muted">You have no subscriptions yet. Find data in the Catalog.</p>}
        {items.length > 0 && (
          <table aria-label="My subscriptions">
            <thead><tr><th>Dataset</th><th>Provider</th><th>State</th><th>Last release</th><th>Rows</th><th>Activity</th><th /></tr></thead>
            <tbody>
              {items.map((s) => {
                const down = Object.values(transfers).find((t) => t.direction === 'download' && t.datasetId === s.datasetId && !t.done);
                const imp = Object.values(imports).find((p) => p.datasetId === s.datasetId && !p.done);
                return (
                  <tr key={s.id}>
                    <td>{s.datasetName}</td>
                    <td>{s.producerName ?? s.producerId}</td>
                    <td><Badge state={s.state} />{s.reason && <div className="muted small">{s.reason}</div>}</td>
                    <td>{s.lastRelease ? formatAgo(s.lastRelease.importedAt) : <span className="muted">none yet</span>}</td>
                    <td>{s.rows !== undefined ? formatCount(s.rows) : '—'}</td>
                    <td style={{ minWidth: 140 }}>
                      {down && <ProgressBar label={`Downloading ${s.datasetName}`} value={percent(down.bytesDone, down.bytesTotal)} />}
                      {!down && imp && <><ProgressBar label={`Importing ${s.datasetName}`} value={undefined} /><span className="small muted">{formatCount(imp.rows)} rows</span></>}
                    </td>
                    <td><div className="row">
                      {s.table && <button type="button" onClick={() => open(s.table as string)} aria-label={`Open data of ${s.datasetName}`}>Open data</button>}
                      {(s.state === 'active' || s.state === 'pending' || s.state === 'approved') && (
                        <button type="button" className="danger" onClick={() => void unsubscribe(s.id)} aria-label={`Cancel subscription to ${s.datasetName}`}>Cancel</button>
                      )}
                    </div></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <p className="muted small">Data already received stays on this computer after a subscription is cancelled or suspended.</p>
      </section>
    </>
  );
}
