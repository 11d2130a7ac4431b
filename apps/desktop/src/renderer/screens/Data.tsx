/** Data: the local library's tables, paged and sortable, a read-only SQL box and CSV export. */
import { useEffect, useState } from 'react';
import { ErrorText } from '../components/ErrorText.js';
import { formatAgo, formatCount } from '../format.js';
import { PAGE_SIZE, useData } from '../stores/data.js';
import { useRoute } from '../stores/route.js';
import type { Cell } from '../../shared/models.js';

export function Data() {
  const s = useData();
  const params = useRoute((r) => r.params);
  const go = useRoute((r) => r.go);

  useEffect(() => {
    if (params.table && params.table !== useData.getState().table) void useData.getState().open(params.table);
    void useData.getState().loadTables();
  }, [params.table]);

  const current = s.tables.find((t) => t.name === s.table);
  const total = s.page?.total ?? 0;
  const last = Math.min(total, s.offset + PAGE_SIZE);

  return (
    <>
      <h1>Data</h1>
      <p className="muted small">Library: <span className="mono">{s.libraryPath || '—'}</span> (a SQLite file other programs can open)</p>
      <ErrorText error={s.error} />
      <section className="panel">
        <div className="row">
          <label style={{ marginBottom: 0 }}>Table
            <select value={s.table ?? ''} onChange={(e) => { go('data', { table: e.target.value }); void s.open(e.target.value); }}>
              {!s.table && <option value="">—</option>}
              {s.tables.map((t) => <option key={t.name} value={t.name}>{t.datasetName ? `${t.datasetName} (${t.name})` : t.name}</option>)}
            </select>
          </label>
          <div className="grow muted small" style={{ alignSelf: 'end' }}>
            {current && <span aria-live="polite" data-testid="table-summary">{formatCount(current.rows)} rows · last import {formatAgo(current.lastImportAt)}</span>}
          </div>
          <button type="button" onClick={() => void s.exportCsv()} disabled={!s.table} style={{ alignSelf: 'end' }}>Export CSV</button>
        </div>
        {s.exportNote && <div className="notice" role="status">{s.exportNote}</div>}
        {s.tables.length === 0 && <p className="muted">No data yet. Subscribe to a dataset; its releases arrive here by themselves.</p>}
        {s.page && (
          <>
            <div className="table-wrap" style={{ marginTop: 12 }}>
              <table aria-label={`Rows of ${s.table}`}>
                <thead>
                  <tr>{s.page.columns.map((c) => (
                    <th key={c.name} aria-sort={s.orderBy === c.name ? (s.desc ? 'descending' : 'ascending') : 'none'}>
                      <button type="button" className="sort" onClick={() => void s.sort(c.name)} aria-label={`Sort by ${c.name}`}>
                        {c.name}{s.orderBy === c.name ? (s.desc ? ' ▼' : ' ▲') : ''}
                      </button>
                    </th>
                  ))}</tr>
                </thead>
                <tbody>{s.page.rows.map((r, i) => <tr key={s.offset + i}>{r.map((c, j) => <td key={j}>{show(c)}</td>)}</tr>)}</tbody>
              </table>
            </div>
            <nav className="row" aria-label="Pages" style={{ marginTop: 10 }}>
              <button type="button" disabled={s.offset === 0} onClick={() => void s.goTo(s.offset - PAGE_SIZE)}>Previous page</button>
              <span className="muted">{total === 0 ? 'no rows' : `${formatCount(s.offset + 1)}–${formatCount(last)} of ${formatCount(total)}`}</span>
              <button type="button" disabled={last >= total} onClick={() => void s.goTo(s.offset + PAGE_SIZE)}>Next page</button>
            </nav>
          </>
        )}
      </section>
      <SqlBox defaultTable={s.table} />
    </>
  );
}

function show(c: Cell) {
  return c === null ? <span className="muted">null</span> : String(c);
}

function SqlBox({ defaultTable }: { defaultTable: string | null }) {
  const { sqlResult, sqlError, sqlBusy, runSql } = useData();
  const [sql, setSql] = useState('');
  const placeholder = defaultTable ? `SELECT * FROM "${defaultTable}" LIMIT 10` : 'SELECT name FROM sqlite_master';
  return (
    <section className="panel" aria-label="SQL">
      <h2>SQL</h2>
      <form onSubmit={(e) => { e.preventDefault(); void runSql(sql.trim() || placeholder); }}>
        <label>Query (read-only)
          <textarea className="mono" value={sql} onChange={(e) => setSql(e.target.value)} placeholder={placeholder} />
        </label>
        <button type="submit" className="primary" disabled={sqlBusy}>{sqlBusy ? 'Running…' : 'Run query'}</button>
      </form>
      <ErrorText error={sqlError} />
      {sqlResult && (
        <>
          <p className="muted small" role="status">{formatCount(sqlResult.rows.length)} rows{sqlResult.truncated ? ' (first ones only)' : ''} in {sqlResult.elapsedMs.toFixed(1)} ms</p>
          <div className="table-wrap">
            <table aria-label="Query result">
              <thead><tr>{sqlResult.columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>{sqlResult.rows.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{show(c)}</td>)}</tr>)}</tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
