/**
 * @module cli/commands/publish
 * `dme publish DATASET FILE`: the CLI face of client/publish.ts. Progress
 * goes to stderr; stdout carries only the release id, or JSON with --json.
 */
import { requireRegisteredIdentity, resolveOwnDataset } from '../../client/connect.js';
import { publishFile } from '../../client/publish.js';
import { startSealWorker } from '../../client/seal-worker.js';
import { loadSecrets } from '../../identity/store.js';
import { FILE_FORMATS, type FileFormat } from '../../protocol/profile.js';
import { parse } from '../args.js';
import { UsageError } from '../errors.js';
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
