/**
 * @module cli/commands/pull
 * `dme pull DATASET`: the CLI face of client/pull.ts. Progress goes to
 * stderr; stdout carries only the output path, or JSON with --json.
 */
import { resolveCatalogDataset } from '../../client/connect.js';
import { pullRelease } from '../../client/pull.js';
import { loadSecrets } from '../../identity/store.js';
import type { FileFormat } from '../../protocol/profile.js';
import { parse } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { progressOn, requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

export const PULL_USAGE = 'dme pull DATASET [--release ID] [-o FILE] [--quiet] [--json]';
export const PULL_HELP = `Download, verify and decrypt a release of a dataset you subscribe to.

usage: ${PULL_USAGE}

DATASET is an id or a slug; without --release the newest release is pulled.
The manifest signature is checked against the producer's registered key and
both checksums (payload, plaintext) against the manifest. Nothing is written
to FILE (default <slug>-<release>.<format>) unless every check passes.`;

const EXT: Record<FileFormat, string> = { csv: 'csv', tsv: 'tsv', ndjson: 'ndjson', json: 'json' };

export async function pullCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { release: { type: 'string' }, output: { type: 'string', short: 'o' }, quiet: { type: 'boolean', short: 'q' }, json: { type: 'boolean' } },
    PULL_USAGE,
  );
  if (positionals.length !== 1) throw new UsageError(`expected DATASET\nusage: ${PULL_USAGE}`);
  if (values.output === '-') throw new UsageError('pull writes a file (nothing may be seen before it is verified); give -o FILE');
  return withHub(io, async (c) => {
    requireLogin(c);
    const { secrets } = await loadSecrets(c.config.home, io.env);
    const entry = await resolveCatalogDataset(c.hub, positionals[0]!);
    const dataset = entry.dataset;
    let releaseId = values.release;
    if (!releaseId) {
      const { items } = await c.hub.datasetReleases(dataset.id);
      if (items.length === 0) throw new CliError(`${dataset.slug} has no release you can read yet`);
      releaseId = items[0]!.id;
    }
    const output = values.output ?? `${dataset.slug}-${releaseId}.${EXT[dataset.format]}${dataset.compression === 'gzip' ? '.gz' : ''}`;
    const progress = progressOn(io, values.quiet ?? false);
    const result = await pullRelease({
      hub: c.hub,
      secrets,
      releaseId,
      output,
      downloadFetch: c.session.plainFetch,
      onProgress: (phase, done, total) => progress.update(phase, done, total),
    }).finally(() => progress.end());
    const m = result.manifest;
    if (values.json) {
      line(io.stdout, JSON.stringify({ releaseId, datasetId: dataset.id, output: result.output, plaintextSize: m.plaintextSize, plaintextSha256: m.plaintextSha256, recordCount: m.recordCount, resumedFrom: result.resumedFrom }));
    } else {
      line(io.stdout, result.output);
      if (!values.quiet) line(io.stderr, `verified and decrypted ${releaseId}: ${m.plaintextSize} bytes, ${m.recordCount} records, sha256 ${m.plaintextSha256.slice(0, 16)}…`);
    }
    return 0;
  });
}
