/**
 * STREAM chunk crypto over a batch of consecutive chunks (c2sp.org/age, "Payload").
 *
 * Each chunk is ChaCha20-Poly1305 under the payload key with nonce
 * counter(11 bytes, big endian) || flag (0x01 on the final chunk only).
 *
 * Invariant: `sealBatch` and `openBatch` are SELF-CONTAINED (no imports, no
 * closure variables; node:crypto comes from process.getBuiltinModule) because
 * the worker pipeline ships their source text to worker threads. The same code
 * therefore runs in-process and in workers.
 */

/** Result of opening a batch: the plaintext of every chunk verified before any failure. */
export interface OpenedBatch {
  plain: Uint8Array;
  chunks: number;
  /** Set when a chunk failed; `plain` holds only the chunks before it. */
  error?: { code: 'BAD_PAYLOAD' | 'TRUNCATED'; message: string };
}

/**
 * Encrypts `length` bytes of `plain` as chunks numbered from `counter`. When
 * `last`, the batch's final chunk carries the last-chunk flag (an empty batch
 * yields the single empty final chunk of an empty payload).
 */
export function sealBatch(
  key: Uint8Array,
  counter: number,
  plain: Uint8Array,
  length: number,
  last: boolean,
  chunkSize: number,
): Uint8Array {
  const { createCipheriv } = process.getBuiltinModule('node:crypto');
  const tag = 16;
  const chunks = Math.max(1, Math.ceil(length / chunkSize));
  const out = new Uint8Array(new ArrayBuffer(length + chunks * tag));
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  let o = 0;
  for (let i = 0; i < chunks; i++) {
    const n = counter + i;
    view.setUint32(3, Math.floor(n / 0x100000000));
    view.setUint32(7, n >>> 0);
    nonce[11] = last && i === chunks - 1 ? 1 : 0;
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: tag });
    const start = i * chunkSize;
    const ct = cipher.update(plain.subarray(start, Math.min(start + chunkSize, length)));
    cipher.final();
    out.set(ct, o);
    out.set(cipher.getAuthTag(), o + ct.length);
    o += ct.length + tag;
  }
  return out;
}

/**
 * Decrypts `length` bytes of `payload` (whole encrypted chunks, numbered from
 * `counter`). When `last`, the input ended after this batch, so its final chunk
 * must carry the last-chunk flag. A chunk's plaintext is copied out only after
 * its tag verified.
 */
export function openBatch(
  key: Uint8Array,
  counter: number,
  payload: Uint8Array,
  length: number,
  last: boolean,
  chunkSize: number,
): OpenedBatch {
  const { createDecipheriv } = process.getBuiltinModule('node:crypto');
  const tag = 16;
  const encSize = chunkSize + tag;
  const chunks = Math.ceil(length / encSize);
  const plain = new Uint8Array(new ArrayBuffer(Math.max(0, length - chunks * tag)));
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  const open = (ct: Uint8Array, flag: number): Uint8Array | null => {
    nonce[11] = flag;
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: tag });
    d.setAuthTag(ct.subarray(ct.length - tag));
    const pt = d.update(ct.subarray(0, ct.length - tag));
    try {
      d.final();
    } catch {
      return null;
    }
    return pt;
  };
  let p = 0;
  for (let i = 0; i < chunks; i++) {
    const n = counter + i;
    const isLast = last && i === chunks - 1;
    const ct = payload.subarray(i * encSize, Math.min((i + 1) * encSize, length));
    const done = (error: OpenedBatch['error']): OpenedBatch => ({ plain: plain.subarray(0, p), chunks: i, error });
    if (ct.length < tag) return done({ code: 'TRUNCATED', message: `payload chunk ${n} is shorter than its tag` });
    if (!isLast && ct.length !== encSize) return done({ code: 'BAD_PAYLOAD', message: `payload chunk ${n} is short but not final` });
    view.setUint32(3, Math.floor(n / 0x100000000));
    view.setUint32(7, n >>> 0);
    const pt = open(ct, isLast ? 1 : 0);
    if (!pt) {
      // A full chunk that verifies as non-final at EOF means the file was cut at a chunk boundary.
      if (isLast && ct.length === encSize && open(ct, 0)) {
        return done({ code: 'TRUNCATED', message: `payload ends after chunk ${n} without a final chunk` });
      }
      return done({ code: 'BAD_PAYLOAD', message: `payload chunk ${n} failed authentication` });
    }
    if (isLast && pt.length === 0 && n > 0) {
      return done({ code: 'BAD_PAYLOAD', message: 'final payload chunk is empty but the payload is not' });
    }
    plain.set(pt, p);
    p += pt.length;
  }
  return { plain: plain.subarray(0, p), chunks };
}
