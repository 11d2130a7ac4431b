import { afterEach, describe, expect, it } from 'vitest';

const realFunction = globalThis.Function;
afterEach(() => {
  globalThis.Function = realFunction;
});

describe('cli/zod-config', () => {
  it('makes the protocol schemas the CLI loads after it parse without compiling code', async () => {
    // The CLI's entry point first, then a protocol module, as a command loads them.
    await import('./main.js');
    const { ManifestSchema } = await import('../protocol/manifest.js');
    let compiled = 0;
    // zod's compiled parsers are made with `new Function(...)`.
    globalThis.Function = new Proxy(realFunction, {
      construct(target, args: string[]) {
        compiled++;
        return Reflect.construct(target, args) as object;
      },
    });
    const manifest = {
      v: 1,
      datasetId: 'ds_01m97jrxfbfhmr62afymanmzwk',
      releaseId: 'rel_01m97jrysy39v6mjyzxf9ctefh',
      payloadSize: 1,
      payloadSha256: 'a'.repeat(64),
      plaintextSize: 1,
      plaintextSha256: 'b'.repeat(64),
      recordCount: 0,
      schemaVersion: 'v1',
      createdAt: '2026-12-07T00:00:00.000Z',
      producerKey: `ed25519:${Buffer.alloc(32, 7).toString('base64url')}`,
    };
    const parsed = ManifestSchema.safeParse(manifest);
    // Parsing still validates: a good manifest passes, a wrong type fails.
    expect(ManifestSchema.safeParse({ ...manifest, payloadSize: 'x' }).success).toBe(false);
    expect(compiled).toBe(0);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
