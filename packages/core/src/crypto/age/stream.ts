/**
 * STREAM chunk crypto over a batch of consecutive chunks (c2sp.org/age, "Payload").
 *
 * Each chunk is ChaCha20-Poly1305 under the payload key with nonce
 * counter(11 bytes, big endian) || flag (0x01 on the final chunk only).
 *
 * Invariant: `sealBatch` and `openBatch` are SELF-CONTAINED (no imports, no
 * closure variables; node:crypto comes from process.getBuiltinModule) because
 * the worker pipeline ships their source text to worker threads. The same code
 * therefore runs in-process and in workers. Output goes into a caller-owned
 * buffer so the pipeline can recycle buffers instead of allocating per batch.
 */

/** Result of opening a batch: the plaintext of every chunk verified before any failure. */
export interface OpenedBatch {
  /** Plaintext bytes written to `out`. */
  length: number;
  chunks: number;
  /** Set when a chunk failed; `out` holds only the chunks released before it. */
  error?: { code: 'BAD_PAYLOAD' | 'TRUNCATED'; message: string };
}

/** Bytes `sealBatch` writes for `length` plaintext bytes (an empty payload still has one chunk). */
export function sealedSize(length: number, chunkSize: number): number {
  return length + Math.max(1, Math.ceil(length / chunkSize)) * 16;
}

/**
 * Encrypts `length` bytes of `plain` as chunks numbered from `counter` into
 * `out` (at least sealedSize(length) bytes); returns the bytes written. When
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
  out: Uint8Array,
): number {
  const { createCipheriv } = process.getBuiltinModule('node:crypto');
  const tag = 16;
  const chunks = Math.max(1, Math.ceil(length / chunkSize));
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
  return o;
}

/**
 * Decrypts `length` bytes of `payload` (whole encrypted chunks, numbered from
 * `counter`) into `out` (at least as long as the plaintext can be). `last`
 * means the input ended right after this batch.
 * A chunk's plaintext is copied out only after its tag verified. Chunk roles
 * follow the reference reader: a full chunk is non-final unless only the final
 * flag verifies; a chunk that verifies as final must end the input, and the input
 * must not end before a final chunk. When those framing rules fail after a chunk
 * verified, that chunk is still released (it is authentic) and the error set.
 */
export function openBatch(
  key: Uint8Array,
  counter: number,
  payload: Uint8Array,
  length: number,
  last: boolean,
  chunkSize: number,
  out: Uint8Array,
): OpenedBatch {
  const { createDecipheriv } = process.getBuiltinModule('node:crypto');
  const tag = 16;
  const encSize = chunkSize + tag;
  const chunks = Math.ceil(length / encSize);
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
    const atEof = last && i === chunks - 1;
    const ct = payload.subarray(i * encSize, Math.min((i + 1) * encSize, length));
    const fail = (code: 'BAD_PAYLOAD' | 'TRUNCATED', message: string, released?: Uint8Array): OpenedBatch => {
      if (released) {
        out.set(released, p);
        p += released.length;
      }
      return { length: p, chunks: i, error: { code, message } };
    };
    if (ct.length < tag) return fail('TRUNCATED', `payload chunk ${n} is shorter than its tag`);
    view.setUint32(3, Math.floor(n / 0x100000000));
    view.setUint32(7, n >>> 0);
    if (ct.length < encSize) {
      // Only the input's end can make a chunk short, so it must be the final chunk.
      const pt = open(ct, 1);
      if (!pt) return fail('BAD_PAYLOAD', `final payload chunk ${n} failed authentication`);
      if (pt.length === 0 && n > 0) return fail('BAD_PAYLOAD', 'final payload chunk is empty but the payload is not');
      out.set(pt, p);
      p += pt.length;
      continue;
    }
    if (atEof) {
      const pt = open(ct, 1);
      if (pt) {
        out.set(pt, p);
        p += pt.length;
        continue;
      }
      const mid = open(ct, 0);
      if (mid) return fail('TRUNCATED', `payload ends after chunk ${n} without a final chunk`, mid);
      return fail('BAD_PAYLOAD', `payload chunk ${n} failed authentication`);
    }
    const pt = open(ct, 0);
    if (pt) {
      out.set(pt, p);
      p += pt.length;
      continue;
    }
    const fin = open(ct, 1);
    if (fin) return fail('BAD_PAYLOAD', `data after the final payload chunk ${n}`, fin);
    return fail('BAD_PAYLOAD', `payload chunk ${n} failed authentication`);
  }
  return { length: p, chunks };
}
