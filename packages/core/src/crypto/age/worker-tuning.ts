/**
 * Settings for code that makes a batch of cipher chunks at a time: a young
 * GC after each batch, with V8's scavenges kept on the collecting thread,
 * and glibc keeping freed chunk buffers mapped.
 *
 * node:crypto returns a fresh 64 KiB buffer per chunk; V8 only collects that
 * external garbage after tens of MB, per isolate (runtime/gc, which also
 * exposes gc()). The pipeline's worker threads take gc() themselves from a
 * fresh vm context while the spawner has it exposed (engine.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { minorGc } from '../../runtime/gc.js';

let threadGc: (() => void) | undefined;
/**
 * A young-generation GC for the calling thread, for code that makes chunk
 * buffers on it (positional batches, inline encryption): the same per-batch
 * collection the workers run. Taken from a fresh context while the flag is on.
 *
 * Such a GC finds almost nothing alive, so V8's helper threads cost more than
 * they save: each scavenge handed work to them and waited, and the array
 * buffers it freed were swept by another task, on a machine whose cores the
 * publisher shares with its uploads (and here, with the hub). From the first
 * use on, scavenges and array-buffer sweeps run on the collecting thread, in
 * every isolate of the process (V8 flags are process-wide; a host's other
 * work keeps collecting, on one thread); both flags are read at each
 * collection, so setting them late is safe (V8
 * options fixed at start-up, such as --single-threaded-gc, are not). A 1 GiB
 * publish to a local hub, 4 alternating pairs: 1,037 scavenges took 1.24 s
 * on the main thread before and 0.37 s after; publisher CPU 4.13-4.68 s
 * before, 3.88-4.31 s after; context switches 7.9-8.8k → 2.8-3.1k.
 */
export function youngGc(): () => void {
  if (!threadGc) {
    scavengeOnCollectingThread();
    threadGc = minorGc();
  }
  return threadGc;
}

let scavengesTuned = false;
/** youngGc's process-wide part, for worker threads that take gc() themselves. */
export function scavengeOnCollectingThread(): void {
  if (scavengesTuned) return;
  scavengesTuned = true;
  setFlagsFromString('--no-parallel-scavenge');
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
}

/**
 * node:crypto returns every chunk's output in a fresh 64 KiB allocation. glibc
 * hands freed memory at the top of a heap back to the kernel once it exceeds
 * M_TRIM_THRESHOLD (128 KiB by default), so each batch freed by the workers'
 * GC is unmapped and the next one faults in zeroed pages again: a third of the
 * pipeline's CPU went to page faults. mallopt(3): freeing a block that was
 * mmap()ed raises the mmap threshold to its size and the trim threshold to
 * twice that, process-wide. structuredClone of 2 MiB mallocs and frees such a
 * block synchronously (once per process); after it, freed chunk buffers stay
 * mapped (up to 4 MiB per arena: a batch's worth, 1 MiB, with room) and are
 * reused. The clone itself touches its pages twice, and a first touch is
 * what costs: 8 MiB (as first written) cost ~4,400 more page faults per
 * run than 2 MiB, for the same steady state (256 MiB `dme encrypt`, 2 cores:
 * 18.4k vs 14.0k faults, ~50 ms CPU; 1 MiB: 16.4k). Elsewhere than glibc
 * this is one harmless copy.
 */
let mallocTuned = false;
export function keepFreedChunksMapped(): void {
  if (mallocTuned) return;
  mallocTuned = true;
  structuredClone(new Uint8Array(2 << 20));
}
