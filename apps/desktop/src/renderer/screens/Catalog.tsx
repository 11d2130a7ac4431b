/** Catalog: search the hub's datasets; the detail shows provider, schedule, freshness, format, schema and the subscribe state. */
import { useEffect, useState } from 'react';
import { Badge } from '../components/Badge.js';
import { ErrorText } from '../components/ErrorText.js';
import { formatAgo, formatInterval } from '../format.js';
import { useCatalog } from '../stores/catalog.js';
import { useRoute } from '../stores/route.js';
import { useSession } from '../stores/session.js';
import type { DatasetDetail } from '../../shared/models.js';

export function Catalog() {
  const { q, items, loading, error, selectedId, search, select } = useCatalog();
  const params = useRoute((r) => r.params);
  const [text, setText] = useState(q);

  useEffect(() => {
    void search();
    if (params.datasetId) void select(params.datasetId);
    // Load once on entry; typing searches through the form below.
  }, []);

  return (
    <>
      <h1>Catalog</h1>
      <form className="row panel" role="search" onSubmit={(e) => { e.preventDefault(); void search(text); }}>
        <label className="grow" style={{ marginBottom: 0 }}>Search datasets
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="phone numbers, carriers, US…" />
        </label>
        <button type="submit" className="primary" style={{ alignSelf: 'end' }}>Search</button>
      </form>
      <ErrorText error={error} />
      <div className="split">
        <section className="panel" aria-label="Datasets">
          {loading && items.length === 0 && <p className="muted">Loading…</p>}
          {!loading && items.length === 0 && !error && <p className="muted">No datasets match.</p>}
          <ul className="list">
            {items.map((d) => (
              <li key={d.id}>
                <button type="button" className="item" aria-pressed={selectedId === d.id} onClick={() => void select(d.id)}>
                  <div className="row">
                    <strong className="grow">{d.name}</strong>
                    {d.subscription && <Badge state={d.subscription.state} />}
                  </div>
                  <div className="muted small">{d.producerName ?? d.producerId} · {d.format.toUpperCase()} · {formatInterval(d.expectedUpdateIntervalSeconds)}</div>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <Detail />
      </div>
    </>
  );
}

function Detail() {
  const { detail, detailError, selectedId, subscribing, subscribe } = useCatalog();
  const me = useSession((s) => s.status?.account);
  if (!selectedId) return <section className="panel muted" aria-label="Dataset detail">Pick a dataset to see its details.</section>;
  if (!detail) return <section className="panel" aria-label="Dataset detail"><ErrorText error={detailError} />{!detailError && <p className="muted">Loading…</p>}</section>;
  const mine = me?.id === detail.producerId;
  return (
    <section className="panel" aria-label="Dataset detail">
      <h2>{detail.name}</h2>
      {detail.description && <p>{detail.description}</p>}
      <dl className="facts">
        <dt>Provider</dt><dd>{detail.producerName ?? detail.producerId}</dd>
        <dt>Updates</dt><dd>{formatInterval(detail.expectedUpdateIntervalSeconds)}</dd>
        <dt>Freshness</dt><dd><FreshnessText d={detail} /></dd>
        <dt>Format</dt><dd>{detail.format.toUpperCase()}{detail.compression !== 'none' ? ` (${detail.compression})` : ''} · {detail.importMode}{detail.keyColumns.length ? ` on ${detail.keyColumns.join(', ')}` : ''}</dd>
        {detail.coverage && (<><dt>Coverage</dt><dd>{detail.coverage}</dd></>)}
        {detail.releaseCount !== undefined && (<><dt>Releases</dt><dd>{detail.releaseCount}</dd></>)}
      </dl>
      <h3>Schema</h3>
      {detail.columns.length === 0 ? <p className="muted">{detail.lastReleaseAt ? 'The producer declared no columns; subscribers see the columns of the latest release once approved.' : 'The schema is set by the first release.'}</p> : (
        <>
        {detail.columnsFrom === 'release' && <p className="muted">Columns as profiled from the latest release.</p>}
        <table aria-label="Schema">
          <thead><tr><th>Column</th><th>Type</th><th>Description</th></tr></thead>
          <tbody>{detail.columns.map((c) => <tr key={c.name}><td className="mono">{c.name}</td><td>{c.type}{c.nullable === false ? '' : '?'}</td><td className="muted">{c.description ?? ''}</td></tr>)}</tbody>
        </table>
        </>
      )}
      <ErrorText error={detailError} />
      <div className="row" style={{ marginTop: 16 }}>
        {mine ? <span className="muted">You publish this dataset.</span>
          : detail.subscription ? <span>Subscription: <Badge state={detail.subscription.state} /></span>
          : <button type="button" className="primary" disabled={subscribing} onClick={() => void subscribe(detail.id)}>{subscribing ? 'Asking…' : 'Subscribe'}</button>}
      </div>
    </section>
  );
}

function FreshnessText({ d }: { d: DatasetDetail }) {
  const f = d.freshness;
  const last = f?.lastReleaseAt ?? d.lastReleaseAt;
  if (!last) return <span className="muted">no release yet</span>;
  const label = f?.late ? <Badge state="late">late</Badge> : f?.score !== undefined ? <Badge state="fresh">on time</Badge> : null;
  return <span>last release {formatAgo(last)} {label}</span>;
}
