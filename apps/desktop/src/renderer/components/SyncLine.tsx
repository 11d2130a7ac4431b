/** The sync engine's state in a few words, with a bar while a release downloads or imports. */
import { formatCount, percent } from '../format.js';
import { useSync } from '../stores/sync.js';
import { ProgressBar } from './ProgressBar.js';

const WORDS: Record<string, string> = {
  'signed-out': 'Signed out',
  stopped: 'Sync paused',
  'receive-off': 'Publishing only',
  connecting: 'Connecting…',
  idle: 'Up to date',
  syncing: 'Receiving data…',
  offline: 'Offline, will retry',
  error: 'Sync problem',
};

export function SyncLine() {
  const state = useSync((s) => s.state);
  if (!state) return null;
  const cur = state.current;
  return (
    <div className="sync" role="status" aria-label="Sync status">
      <div>{WORDS[state.status] ?? state.status}{state.queued > 0 ? ` (${state.queued} waiting)` : ''}</div>
      {cur && (
        <>
          <ProgressBar label={`Sync ${cur.phase}`} value={cur.phase === 'import' ? undefined : percent(cur.bytesDone, cur.bytesTotal)} />
          <div className="small">{cur.phase}{cur.rows ? ` · ${formatCount(cur.rows)} rows` : ''}</div>
        </>
      )}
      {state.status === 'error' && state.lastError && <div className="small clamp" title={state.lastError}>{state.lastError}</div>}
    </div>
  );
}
