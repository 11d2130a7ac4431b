/**
 * @module client/file-digest
 * SHA-256 of a file computed by a worker thread that reads the file itself
 * (positional reads into one reused buffer: no bytes cross threads). Publish
 * uses it for the plaintext digest, so the thread that encrypts, hashes the
 * payload and uploads does one SHA-256 pass instead of two.
 *
 * The worker and the encryptor read the file separately: the caller must
 * check that the file did not change meanwhile (publish compares size and
 * modification time before and after), or the digest may describe other
 * bytes than the ones encrypted.
 */
import { Worker } from 'node:worker_threads';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** Worker entry point, shipped as source text (no imports). */
function digestWorker(): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const fs = process.getBuiltinModule('node:fs');
  const { createHash } = process.getBuiltinModule('node:crypto');
  const fd = fs.openSync((workerData as { path: string }).path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = new Uint8Array(1 << 20);
    let bytes = 0;
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, bytes)) > 0; bytes += n) hash.update(buf.subarray(0, n));
    parentPort?.postMessage({ sha256: hash.digest('hex'), bytes });
  } finally {
    fs.closeSync(fd);
  }
}

const SOURCE = `(${digestWorker.toString()})();\n`;

/** Starts hashing `path`; the promise settles with the digest or the worker's error. */
export function digestFileInWorker(path: string): { result: Promise<FileDigest>; cancel: () => Promise<void> } {
  const worker = new Worker(SOURCE, { eval: true, workerData: { path } });
  const result = new Promise<FileDigest>((resolve, reject) => {
    worker.once('message', (m: FileDigest) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`digest worker exited with code ${code} before answering`)));
  });
  result.catch(() => undefined);
  return { result, cancel: async () => void (await worker.terminate()) };
}
