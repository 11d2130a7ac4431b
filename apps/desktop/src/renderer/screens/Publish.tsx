/** Publish: my datasets, creating one, dropping files (drag & drop or picker) with per-file progress, and history. */
import { useEffect, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import { Badge } from '../components/Badge.js';
import { ErrorText } from '../components/ErrorText.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { formatAgo, formatBytes, formatCount, formatInterval, percent } from '../format.js';
import { call, mode } from '../api.js';
import { describeError } from '../errors.js';
import { usePublish } from '../stores/publish.js';
import { CreateDataset } from './CreateDataset.js';

export function Publish() {
  const p = usePublish();
  const [creating, setCreating] = useState(false);
  useEffect(() => { void usePublish.getState().load(); }, []);
  const selected = p.datasets.find((d) => d.id === p.selectedId);

  return (
    <>
      <h1>Publish</h1>
      <ErrorText error={p.error} />
      <div className="split">
        <section className="panel" aria-label="My datasets">
          <div className="row"><h2 className="grow" style={{ margin: 0 }}>My datasets</h2><button type="button" onClick={() => setCreating(!creating)}>{creating ? 'Close' : 'New dataset'}</button></div>
          {creating && <CreateDataset onDone={() => setCreating(false)} />}
          {p.datasets.length === 0 && !creating && <p className="muted">No datasets yet. Create one to start publishing.</p>}
          <ul className="list">
            {p.datasets.map((d) => (
              <li key={d.id}>
                <button type="button" className="item" aria-pressed={d.id === p.selectedId} onClick={() => void p.select(d.id)}>
                  <div className="row"><strong className="grow">{d.name}</strong><Badge state={d.status === 'PUBLISHED' ? 'ok' : 'pending'}>{d.status.toLowerCase()}</Badge></div>
                  <div className="muted small">{d.format.toUpperCase()} · {d.importMode} · {formatInterval(d.expectedUpdateIntervalSeconds)} · last {formatAgo(d.lastReleaseAt)}</div>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <div>
          {selected && <DropFiles datasetName={selected.name} />}
          <Queue />
          {selected && <History />}
        </div>
      </div>
    </>
  );
}

function DropFiles({ datasetName }: { datasetName: string }) {
  const { publishBrowserFiles, publishPaths } = usePublish();
  const [over, setOver] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length) void publishBrowserFiles(files);
  }
  async function pick() {
    setPickError(null);
    if (mode === 'browser') return input.current?.click();
    try {
      const r = await call('files.pick', { multiple: true, title: `Files to publish to ${datasetName}` });
      if (r.paths.length) await publishPaths(r.paths);
    } catch (e) {
      if ((e as { code?: string }).code !== 'CANCELLED') setPickError(describeError(e));
    }
  }
  return (
    <section className="panel" aria-label="Publish files">
      <h2>Publish to {datasetName}</h2>
      <div className={`dropzone ${over ? 'over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <p>Drop CSV, TSV, NDJSON or JSON files here (gzip is fine)</p>
        <button type="button" className="primary" onClick={() => void pick()}>Choose files…</button>
        <input ref={input} type="file" multiple hidden aria-label="Files to publish" onChange={(e) => { const f = Array.from(e.target.files ?? []); e.target.value = ''; if (f.length) void publishBrowserFiles(f); }} />
      </div>
      <ErrorText error={pickError} />
      <p className="muted small">Files are encrypted on this computer for you and each active subscriber before upload; the hub never sees their contents.</p>
    </section>
  );
}

const STATE_WORDS: Record<string, string> = { queued: 'waiting', profiling: 'reading', uploading: 'uploading', completing: 'finishing', done: 'published', failed: 'failed' };

function Queue() {
  const { queue, uploads, datasets, retry, clearFinished } = usePublish();
  if (queue.length === 0 && uploads.length === 0) return null;
  const name = (id: string) => datasets.find((d) => d.id === id)?.name ?? id;
  return (
    <section className="panel" aria-label="Transfers">
      <div className="row"><h2 className="grow" style={{ margin: 0 }}>Transfers</h2><button type="button" onClick={() => void clearFinished()}>Clear finished</button></div>
      <table>
        <thead><tr><th>File</th><th>Dataset</th><th>Progress</th><th>State</th><th /></tr></thead>
        <tbody>
          {uploads.map((u) => (
            <tr key={u.key}>
              <td>{u.name}</td><td className="muted">—</td>
              <td><ProgressBar label={`Sending ${u.name}`} value={percent(u.sent, u.total)} state={u.error ? 'failed' : 'running'} /><span className="small muted">{formatBytes(u.sent)} of {formatBytes(u.total)}</span></td>
              <td>{u.error ? <span className="error small">{u.error}</span> : 'sending'}</td><td />
            </tr>
          ))}
          {queue.map((q) => (
            <tr key={q.id}>
              <td>{q.fileName}</td>
              <td>{name(q.datasetId)}</td>
              <td>
                <ProgressBar label={`Publishing ${q.fileName}`} value={q.state === 'done' ? 100 : percent(q.bytesDone, q.bytesTotal)} state={q.state === 'done' ? 'done' : q.state === 'failed' ? 'failed' : 'running'} />
                <span className="small muted">{q.state === 'done' ? '' : `${formatBytes(q.bytesDone)} of ${formatBytes(q.bytesTotal)}`}{q.state !== 'done' && q.recordCount !== undefined ? ' · ' : ''}{q.recordCount !== undefined ? `${formatCount(q.recordCount)} records` : ''}</span>
              </td>
              <td>{STATE_WORDS[q.state] ?? q.state}{q.error && <div className="error small">{describeError(q.error)}</div>}</td>
              <td>{q.state === 'failed' && <button type="button" onClick={() => void retry(q.id)}>Retry</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function History() {
  const history = usePublish((s) => s.history);
  return (
    <section className="panel" aria-label="Release history">
      <h2>History</h2>
      {history.length === 0 ? <p className="muted">No releases yet.</p> : (
        <table>
          <thead><tr><th>Published</th><th>File</th><th>Records</th><th>Size</th><th>State</th></tr></thead>
          <tbody>
            {history.map((r) => (
              <tr key={r.id}>
                <td title={r.publishedAt ?? r.createdAt}>{formatAgo(r.publishedAt ?? r.createdAt)}</td>
                <td>{r.fileName ?? <span className="mono small">{r.id}</span>}</td>
                <td>{r.recordCount !== undefined ? formatCount(r.recordCount) : '—'}</td>
                <td>{r.sizeBytes !== undefined ? formatBytes(r.sizeBytes) : '—'}</td>
                <td><Badge state={r.status === 'published' ? 'ok' : r.status === 'failed' ? 'bad' : 'pending'}>{r.status}</Badge></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
