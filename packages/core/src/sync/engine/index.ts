/**
 * @module sync/engine
 * The consumer's sync engine (Node), shared by `dme sync` and the desktop app:
 *
 *   const engine = new SyncEngine({ hub, stream, secrets, library, stateDir, logger });
 *   engine.on((e) => …);   // idle, catching-up, downloading, importing, imported, error…
 *   await engine.start();  // catch up, then follow /v1/events
 *   …
 *   await engine.stop();   // rolls back the current import, closes the stream
 */
export { SyncEngine, type FailedRelease, type SyncEngineOptions, type SyncReport } from './engine.js';
export { SyncError, SYNC_ERROR_CODES, describeFailure, type FailureInfo, type SyncErrorCode } from './errors.js';
export { jsonLogger, silentLogger, type LogFields, type Logger, type LogLevel } from './log.js';
export type { SyncEvent, SyncEventType, SyncListener, SyncStatus } from './progress.js';
export { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './backoff.js';
export { throttledFetch } from './throttle.js';
export { datasetFromListing } from './datasets.js';
