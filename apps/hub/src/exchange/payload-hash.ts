/**
 * @module exchange/payload-hash
 * Streams a stored payload once and returns its size and SHA-256, with memory
 * flat whatever the size. Web Crypto has no incremental digest, so this uses
 * the runtime's streaming hash: Node's crypto (reached through
 * `process.getBuiltinModule`, so this module imports nothing Node-only) or
 * Cloudflare's `crypto.DigestStream` on Workers.
 */
interface IncrementalHash {
  update(chunk: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

interface NodeProcess {
  getBuiltinModule?(id: string): { createHash(algorithm: string): IncrementalHash } | undefined;
}

interface DigestStreamCtor {
  new (algorithm: string): WritableStream<Uint8Array> & { digest: Promise<ArrayBuffer> };
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function hashPayload(stream: ReadableStream<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const nodeCrypto = proc?.getBuiltinModule?.('node:crypto');
  let size = 0;
  if (nodeCrypto) {
    const h = nodeCrypto.createHash('sha256');
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      h.update(value);
    }
    return { size, sha256: h.digest('hex') };
  }
  const DigestStream = (crypto as unknown as { DigestStream?: DigestStreamCtor }).DigestStream;
  if (!DigestStream) throw new Error('no streaming SHA-256 in this runtime');
  const sink = new DigestStream('SHA-256');
  const counted = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        size += chunk.byteLength;
        ctl.enqueue(chunk);
      },
    }),
  );
  await counted.pipeTo(sink);
  return { size, sha256: hex(await sink.digest) };
}
