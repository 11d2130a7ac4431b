/**
 * @module client/file-digest
 * The two SHA-256 digests publish signs, computed by one worker thread so
 * the thread that encrypts and uploads does no hashing at all:
 * - the plaintext's, from the file read by the worker itself (positional
 *   reads into one reused buffer: no bytes cross threads);
 * - the payload's, from blocks of shared memory the payload spool hands over
 *   as it fills them (client/payload-spool): no copy, and the spool reuses a
 *   block only after the worker says it has hashed it.
 * Hashing the payload on the encrypting thread was its largest single cost
 * (0.94 of 4.96 s on a 1 GiB publish, CPU profile), on the path every byte
 * waits for; the worker had idle time once the plaintext was done.
 *
 * The worker and the encryptor read the file separately: the caller must
 * check that the file did not change meanwhile (publish compares size and
 * modification time before and after), or the plaintext digest may describe
 * other bytes than the ones encrypted. The hub recomputes the payload's
 * digest and refuses a release whose manifest disagrees.
 */
import { Worker } from 'node:worker_threads';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

type FromWorker = { type: 'file' | 'payload'; sha256: string; bytes: number } | { type: 'hashed'; bytes: number };
type ToWorker = { buffer: SharedArrayBuffer; length: number } | { end: true };

/** Worker entry point, shipped as source text (no imports). */
function digestWorker(): void {
  const { parentPort, workerData, receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
  const fs = process.getBuiltinModule('node:fs');
  const { createHash } = process.getBuiltinModule('node:crypto');
  if (!parentPort) return;
  const port = parentPort;
  const payload = createHash('sha256');
  let payloadBytes = 0;
  let fileDone = false;
  let ended = false;
  const onPayload = (m: ToWorker): void => {
    if ('end' in m) {
      ended = true;
      port.postMessage({ type: 'payload', sha256: payload.digest('hex'), bytes: payloadBytes });
      if (fileDone) port.close();
      return;
    }
    payload.update(new Uint8Array(m.buffer, 0, m.length));
    payloadBytes += m.length;
    port.postMessage({ type: 'hashed', bytes: payloadBytes });
  };
  // Payload blocks are taken between file reads, so neither digest waits for the other.
  const poll = (): void => {
    for (let m; !ended && (m = receiveMessageOnPort(port)); ) onPayload(m.message as ToWorker);
  };
  const fd = fs.openSync((workerData as { path: string }).path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = new Uint8Array(1 << 20);
    let bytes = 0;
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, bytes)) > 0; bytes += n) {
      hash.update(buf.subarray(0, n));
      poll();
    }
    port.postMessage({ type: 'file', sha256: hash.digest('hex'), bytes });
  } finally {
    fs.closeSync(fd);
  }
  fileDone = true;
  poll();
  if (ended) port.close();
  else port.on('message', onPayload);
}

const SOURCE = `(${digestWorker.toString()})();\n`;

/** Where payload bytes go to be hashed, in order. */
export interface PayloadDigestSink {
  /**
   * Hashes the first `length` bytes of `block` next. Its memory must be a
   * whole SharedArrayBuffer and stay unchanged until `onHashed` has passed it.
   */
  add(block: Uint8Array, length: number): void;
  /** Called with the payload bytes hashed so far, each time a block is done. */
  onHashed: (bytes: number) => void;
}

export interface PublishDigests {
  /** The plaintext file's digest. */
  file: Promise<FileDigest>;
  payload: PayloadDigestSink & {
    /** No more payload bytes: resolves with the digest of all of them. */
    end(): Promise<FileDigest>;
  };
  /** Rejects if the worker fails before both digests are out; never resolves. */
  failed: Promise<never>;
  cancel(): Promise<void>;
}

/** Starts hashing the file at `path`; payload blocks can be added at once. */
export function startPublishDigests(path: string): PublishDigests {
  const worker = new Worker(SOURCE, { eval: true, workerData: { path } });
  let fail: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const answers: Partial<Record<'file' | 'payload', (d: FileDigest) => void>> = {};
  const answer = (type: 'file' | 'payload'): Promise<FileDigest> => {
    const p = Promise.race([new Promise<FileDigest>((resolve) => (answers[type] = resolve)), failed]);
    p.catch(() => undefined);
    return p;
  };
  const file = answer('file');
  const payloadDigest = answer('payload');
  let answered = 0;
  const payload: PublishDigests['payload'] = {
    add(block, length) {
      if (!(block.buffer instanceof SharedArrayBuffer) || block.byteOffset !== 0 || length > block.byteLength) {
        throw new TypeError('a payload block must be the start of a SharedArrayBuffer');
      }
      worker.postMessage({ buffer: block.buffer, length } satisfies ToWorker);
    },
    onHashed: () => undefined,
    end() {
      worker.postMessage({ end: true } satisfies ToWorker);
      return payloadDigest;
    },
  };
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'hashed') return payload.onHashed(m.bytes);
    answered++;
    answers[m.type]?.({ sha256: m.sha256, bytes: m.bytes });
  });
  worker.once('error', (err) => fail(err));
  worker.once('exit', (code) => answered < 2 && fail(new Error(`digest worker exited with code ${code} before answering`)));
  return { file, payload, failed, cancel: async () => void (await worker.terminate()) };
}
