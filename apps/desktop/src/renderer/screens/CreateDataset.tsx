/** The form that creates a dataset: name, format, snapshot or incremental (with key columns), schedule. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { usePublish } from '../stores/publish.js';

const INTERVALS: [string, number | undefined][] = [['No schedule', undefined], ['Hourly', 3_600], ['Daily', 86_400], ['Weekly', 7 * 86_400], ['Monthly', 30 * 86_400]];

export function CreateDataset({ onDone }: { onDone: () => void }) {
  const { create, creating } = usePublish();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [format, setFormat] = useState<'csv' | 'tsv' | 'ndjson' | 'json'>('csv');
  const [importMode, setImportMode] = useState<'snapshot' | 'incremental'>('snapshot');
  const [keys, setKeys] = useState('');
  const [interval, setEvery] = useState(1);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const keyColumns = keys.split(',').map((k) => k.trim()).filter(Boolean);
    const every = INTERVALS[interval]?.[1];
    const ok = await create({
      name: name.trim(), format, importMode,
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(importMode === 'incremental' ? { keyColumns } : {}),
      ...(every ? { expectedUpdateIntervalSeconds: every } : {}),
    });
    if (ok) onDone();
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="New dataset" style={{ margin: '12px 0', paddingBottom: 12, borderBottom: '1px solid var(--line)' }}>
      <label>Dataset name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label>Description<textarea value={description} onChange={(e) => setDescription(e.target.value)} /></label>
      <div className="row">
        <label>File format
          <select value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="csv">CSV</option><option value="tsv">TSV</option><option value="ndjson">NDJSON</option><option value="json">JSON</option>
          </select>
        </label>
        <label>Each release
          <select value={importMode} onChange={(e) => setImportMode(e.target.value as typeof importMode)}>
            <option value="snapshot">replaces the data (snapshot)</option>
            <option value="incremental">adds to the data (incremental)</option>
          </select>
        </label>
        <label>Update interval
          <select value={interval} onChange={(e) => setEvery(Number(e.target.value))}>
            {INTERVALS.map(([label], i) => <option key={label} value={i}>{label}</option>)}
          </select>
        </label>
      </div>
      {importMode === 'incremental' && (
        <label>Key columns (comma-separated)<input required value={keys} onChange={(e) => setKeys(e.target.value)} placeholder="e164" /></label>
      )}
      <button type="submit" className="primary" disabled={creating}>{creating ? 'Creating…' : 'Create dataset'}</button>
    </form>
  );
}
