/**
 * @module cli/commands/publish
 * `dme publish DATASET FILE` and `dme pull DATASET`: the CLI faces of the
 * client pipelines (client/publish.ts, client/pull.ts). Progress goes to
 * stderr; stdout carries only the result (the release id, or the output
 * path), or JSON with --json.
 */
import { requireRegisteredIdentity, resolveCatalogDataset, resolveOwnDataset } from '../../client/connect.js';
import { publishFile } from '../../client/publish.js';
import { startSealWorker } from '../../client/seal-worker.js';
import { pullRelease } from '../../client/pull.js';
import { loadSecrets } from '../../identity/store.js';
import { FILE_FORMATS, type FileFormat } from '../../protocol/profile.js';
import { parse } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { progressOn, requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

export const PUBLISH_USAGE = 'dme publish DATASET FILE [--schema-version V] [--format F] [--key COLUMN…] [--no-profile] [--quiet] [--json]';
export const PUBLISH_HELP = `Publish FILE as a new release of DATASET (an id or a slug of yours).

usage: ${PUBLISH_USAGE}

Profiles the file, encrypts it once (age) for you and every approved or
active subscriber, uploads it (resumable), and completes the release with a
manifest signed by your key. Prints the release id.

  --schema-version V  schema version recorded in the manifest (default v1)
  --format F          skip format detection (csv, tsv, ndjson, json)
  --key COLUMN        key column(s) for the profile's uniqueness metric
  --no-profile        do not profile (files that are not tables; record count 0)
  --temp-dir DIR      where the encrypted payload is staged (default: OS temp dir)
  --quiet             no progress on stderr`;

export const PULL_USAGE = 'dme pull DATASET [--release ID] [-o FILE] [--quiet] [--json]';
export const PULL_HELP = `Download, verify and decrypt a release of a dataset you subscribe to.

usage: ${PULL_USAGE}

DATASET is an id or a slug; without --release the newest release is pulled.
The manifest signature is checked against the producer's registered key and
both checksums (payload, plaintext) against the manifest. Nothing is written
to FILE (default <slug>-<release>.<format>) unless every check passes.`;

export async function publishCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      'schema-version': { type: 'string' },
      format: { type: 'string' },
      key: { type: 'string', multiple: true },
      'no-profile': { type: 'boolean' },
      'temp-dir': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
    },
    PUBLISH_USAGE,
  );
  if (positionals.length !== 2) throw new UsageError(`expected DATASET and FILE\nusage: ${PUBLISH_USAGE}`);
  const [ref, file] = positionals as [string, string];
  const format = values.format;
  if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FILE_FORMATS.join(', ')}`);
  // Its thread starts while the keys are read and the hub is asked about the dataset.
  const sealWorker = startSealWorker();
  try {
    return await withHub(io, async (c) => {
      requireLogin(c);
      const { identity, secrets } = await loadSecrets(c.config.home, io.env);
      // Not awaited here: the file is encrypted while the hub answers.
      const accountId = c.hub.profile().then((a) => a.id);
      const dataset = Promise.all([resolveOwnDataset(c.hub, ref), requireRegisteredIdentity(c.hub, identity)]).then(([d]) => d);
      const progress = progressOn(io, values.quiet ?? false);
      const result = await publishFile({
        hub: c.hub,
        accountId,
        identity,
        secrets,
        datasetId: dataset.then((d) => d.id),
        file,
        profile: !values['no-profile'],
        ...(format ? { format: format as FileFormat } : {}),
        ...(values.key ? { keyColumns: values.key } : {}),
        ...(values['schema-version'] ? { schemaVersion: values['schema-version'] } : {}),
        ...(values['temp-dir'] ? { tempDir: values['temp-dir'] } : {}),
        uploadFetch: c.session.plainFetch,
        sealWorker,
        onProgress: (phase, done, total) => progress.update(phase, done, total),
      }).finally(() => progress.end());
      const { slug } = await dataset;
      const r = result.release;
      if (values.json) {
        line(io.stdout, JSON.stringify({ releaseId: r.id, datasetId: r.datasetId, payloadSize: r.payloadSize, payloadSha256: r.payloadSha256, plaintextSize: r.plaintextSize, recordCount: r.recordCount, grants: result.grants, recipients: result.recipients }));
      } else {
        line(io.stdout, r.id);
        if (!values.quiet) line(io.stderr, `published ${r.id} to ${slug}: ${r.plaintextSize} bytes, ${r.recordCount} records, ${result.grants} grant(s)`);
      }
      return 0;
    });
  } finally {
    // Already gone after a publish that began sealing; a failure before that leaves it idle.
    await sealWorker.terminate();
  }
}

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
