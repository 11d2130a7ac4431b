/**
 * @module runtime/gc
 * Young-generation collections on demand, for code that streams data through
 * short-lived buffers: socket chunks (64 KiB each, allocated by Node per
 * read), cipher output, file chunks. Their memory lives outside the JavaScript
 * heap, where V8 only counts it: the heap itself grows by a few hundred bytes
 * per chunk, so the young generation rarely fills and nothing frees the
 * buffers until tens of MB of them push V8 into a full mark-compact, over
 * and over (one 1 GiB upload: 43-44 mark-compacts in the hub). A young GC
 * every few MiB finds almost everything dead and frees it for a fraction of
 * that (2-3 mark-compacts; hub CPU for the upload 2.4-2.6 s instead of
 * 4.1-4.3 s, 4 alternating runs).
 *
 * gc() is taken from a fresh vm context while --expose-gc is briefly on, so
 * the process needs no flag (and a host that runs with it is left alone).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8 flags are process-wide: --expose-gc is on only while something takes
 * gc() (a minor GC here, worker threads starting in crypto/age/engine.ts),
 * and never touched if the host already runs with it.
 */
const hostHasGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
let gcExposers = 0;
export function exposeGc(on: boolean): void {
  if (hostHasGc) return;
  if (on ? gcExposers++ === 0 : --gcExposers === 0) setFlagsFromString(on ? '--expose-gc' : '--no-expose-gc');
}

let minor: (() => void) | undefined;
/** A young-generation GC of the calling thread's isolate (a no-op where gc() cannot be had). */
export function minorGc(): () => void {
  if (!minor) {
    exposeGc(true);
    const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as ((o?: { type: string }) => void) | undefined;
    exposeGc(false);
    minor = gc ? () => gc({ type: 'minor' }) : () => undefined;
  }
  return minor;
}

/** Chunk bytes between two collections: 16 MiB left the mark-compacts in some runs (5-50 per GiB), 4 MiB in none. */
export const CHUNK_GC_BYTES = 4 * 1024 * 1024;
let sinceGc = 0;

/**
 * Tells this thread's collector that `bytes` of short-lived chunk buffers
 * were made; every CHUNK_GC_BYTES, a young GC frees those already dropped.
 * Counted per thread (each isolate has its own heap), across every stream.
 */
export function chunksAllocated(bytes: number): void {
  sinceGc += bytes;
  if (sinceGc < CHUNK_GC_BYTES) return;
  sinceGc = 0;
  minorGc()();
}
