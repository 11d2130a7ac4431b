/**
 * @module sync/engine/release-job
 * One release, from the hub into the library: download info → manifest
 * verified against the producer's registered key → grant unwrapped →
 * payload downloaded into the state directory with Range resume, and read
 * back as it grows (fs/growing-file), decrypted as a stream through a
 * verifying pass-through straight into importRelease, which commits rows and
 * the release record in one transaction only when the stream ENDS — and it
 * ends only when the download checked the payload's size and SHA-256 and the
 * plaintext's size and SHA-256 match the manifest.
 *
 * Invariants: a failure at any step leaves the library as it was. The
 * payload file is kept across a transfer failure, an abort or a killed
 * process (the next attempt resumes or reuses it) until all of it was read
 * and verified; it is deleted then, just before the import commits, and
 * whenever its bytes failed verification. A commit that fails after that
 * downloads the payload again on the next attempt.
 */
import { decryptToStream, downloadVerifiedPayload, fetchVerifiedDownload, openGrant } from '../../client/pull.js';
import { fingerprint } from '../../crypto/manifest.js';
import { GrowingFile } from '../../fs/growing-file.js';
import type { IdentitySecrets } from '../../identity/store.js';
import type { HubClient } from '../../sdk/client.js';
import { importRelease, type ImportResult } from '../import/import.js';
import type { Library } from '../library/library.js';
import type { LibraryDataset } from '../library/metadata.js';
import type { Logger } from './log.js';
import type { SyncEvents } from './progress.js';
import type { StateDir } from './state-dir.js';

export interface ReleaseJobDeps {
  hub: HubClient;
  secrets: Pick<IdentitySecrets, 'ageIdentity'>;
  library: Library;
  state: StateDir;
  events: SyncEvents;
  logger: Logger;
  /** fetch for payload URLs (no hub credential is sent there). */
  downloadFetch?: typeof fetch;
  /** Minimum spacing of progress events and progress log lines. */
  progressEveryMs: { events: number; log: number };
}

export interface ReleaseJobResult extends ImportResult {
  producerKeyFingerprint: string;
}

/** Calls `fn` at most every `ms`, always for the first call and when `force` is set. */
function every(ms: number): (force?: boolean) => boolean {
  let last = 0;
  return (force = false) => {
    const now = Date.now();
    if (!force && now - last < ms) return false;
    last = now;
    return true;
  };
}

export async function syncRelease(deps: ReleaseJobDeps, dataset: LibraryDataset, releaseId: string, signal: AbortSignal): Promise<ReleaseJobResult> {
  const { logger, events } = deps;
  const ids = { datasetId: dataset.id, releaseId };
  const verified = await fetchVerifiedDownload(deps.hub, releaseId);
  const { manifest } = verified;
  const partial = deps.state.payloadPath(releaseId);

  const emitDl = every(deps.progressEveryMs.events);
  const logDl = every(deps.progressEveryMs.log);
  const fileKey = openGrant(verified, deps.secrets);
  // The payload is decrypted and imported while it downloads, read back from the partial file as it
  // grows: the import can only commit once its source ends, and the source ends only after the download
  // verified the payload's size and SHA-256 (it fails, and the import rolls back, otherwise).
  const growing = new GrowingFile(partial);
  const stopDownload = new AbortController();
  let resumedFrom = 0;
  let downloadFailure: { error: unknown } | undefined;
  logger.info('download started', { ...ids, total: manifest.payloadSize });
  const t0 = Date.now();
  const downloading = downloadVerifiedPayload({
    hub: deps.hub,
    verified,
    partial,
    signal: AbortSignal.any([signal, stopDownload.signal]),
    ...(deps.downloadFetch ? { downloadFetch: deps.downloadFetch } : {}),
    onStored: (end) => growing.grewTo(end),
    onProgress: (bytes, total) => {
      const done = bytes === total;
      if (emitDl(done)) events.emit({ type: 'downloading', ...ids, bytes, total, resumedFrom });
      if (logDl(done)) logger.info('download progress', { ...ids, bytes, total });
    },
  }).then(
    (got) => {
      resumedFrom = got.resumedFrom;
      logger.info('payload verified', { ...ids, bytes: manifest.payloadSize, resumedFrom, ms: Date.now() - t0 });
      growing.complete();
    },
    (err: unknown) => {
      downloadFailure ??= { error: err };
      growing.fail(err instanceof Error ? err : new Error(String(err)));
      throw err;
    },
  );
  downloading.catch(() => undefined);

  const source = decryptToStream(growing.source(), fileKey, manifest);
  const emitIm = every(deps.progressEveryMs.events);
  const logIm = every(deps.progressEveryMs.log);
  const t1 = Date.now();
  events.emit({ type: 'importing', ...ids, rows: 0, expectedRows: manifest.recordCount });
  logger.info('import started', { ...ids, expectedRows: manifest.recordCount });
  // Abort by failing the source (and telling the importer): that also stops the decryption at once, and a
  // failed source rolls the import back like any failure; the engine tells an abort from a failure by its own signal.
  const onAbort = (): void => void source.destroy(new Error('the import was cancelled'));
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  let result: ImportResult;
  try {
    result = await importRelease(deps.library, {
      dataset,
      release: {
        id: releaseId,
        schemaVersion: manifest.schemaVersion,
        payloadSha256: manifest.payloadSha256,
        plaintextSha256: manifest.plaintextSha256,
        producerKeyFingerprint: fingerprint(verified.producerSigningKey),
      },
      source,
      // Failing the source is not enough on its own: a parallel load may have read all of it while its rows
      // are still being copied, and must then not commit either.
      signal,
      // A manifest counts 0 records when the producer did not profile the file: then there is nothing to check against.
      ...(manifest.recordCount > 0 ? { expectedRows: manifest.recordCount } : {}),
      // Lets a big release load in parallel even when it was published without a profile (no count).
      plaintextSize: manifest.plaintextSize,
      // Every byte was read and verified by now (the source ended). Deleted before the commit, not after: the
      // commit's WAL checkpoint writes the whole table into the page cache, and on a VM whose freed memory goes
      // back to the host, pages freed a moment ago are several times cheaper to fill than pages the guest has not
      // used lately (400 MB written right after deleting a file: 0.06 CPU-s, else 0.6). `dme sync --once` of 5M
      // phone rows, `perf`: the checkpoint's copies into the page cache 0.02-0.03 s instead of 0.37-0.47 s.
      beforeCommit: () => deps.state.removePayload(releaseId).catch(() => undefined),
      onProgress: ({ rows }) => {
        if (emitIm()) events.emit({ type: 'importing', ...ids, rows, expectedRows: manifest.recordCount });
        if (logIm()) logger.info('import progress', { ...ids, rows, expectedRows: manifest.recordCount });
      },
    });
  } catch (err) {
    // A download that failed on its own (a transfer error, a payload that failed its check) is the cause
    // to report; otherwise the import failed first and the download is stopped.
    if (downloadFailure) throw downloadFailure.error;
    stopDownload.abort();
    await downloading.catch(() => undefined);
    // Bytes that decrypted wrong (an AEAD failure) are damaged: not kept for a resume.
    const code = (err as { code?: unknown }).code;
    if (code === 'BAD_PAYLOAD' || code === 'TRUNCATED') await deps.state.removePayload(releaseId);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Stops the decryption if the importer gave up early; a no-op once it ended.
    source.destroy();
  }
  await downloading;
  await deps.state.removePayload(releaseId);
  logger.info('import committed', { ...ids, rows: result.rows, table: result.table, skipped: result.skipped, ms: Date.now() - t1 });
  return { ...result, producerKeyFingerprint: fingerprint(verified.producerSigningKey) };
}
