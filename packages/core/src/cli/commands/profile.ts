/**
 * @module cli/commands/profile
 * `dme profile FILE`: one streaming pass over a data file, printed as a table
 * or as JSON (the same FileProfile the hub stores with a release).
 */
import { FILE_FORMATS, type FileFormat } from '../../protocol/profile.js';
import { profileFile, renderProfile } from '../../profile/index.js';
import { onePositional, parse } from '../args.js';
import { UsageError } from '../errors.js';
import { line, type Io } from '../io.js';

export const PROFILE_USAGE = 'dme profile [--json] [--format csv|tsv|ndjson|json] [--key COLUMN…] FILE';

export const PROFILE_HELP = `Profile a data file: records, columns and inferred types, nulls, distinct
estimates and quality metrics. Reads CSV, TSV, NDJSON, JSON arrays and their
gzip-compressed variants, in one streaming pass.

usage: ${PROFILE_USAGE}

  --json            print the profile as JSON
  --format FORMAT   skip detection (csv, tsv, ndjson, json)
  --key COLUMN      a key column, for the uniqueness metric (repeatable)`;

export async function profileCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean' }, format: { type: 'string' }, key: { type: 'string', multiple: true } },
    PROFILE_USAGE,
  );
  const file = onePositional(positionals, 'FILE', PROFILE_USAGE);
  const format = values.format;
  if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FILE_FORMATS.join(', ')}`);
  }
  const profile = await profileFile(file, {
    ...(format ? { format: format as FileFormat } : {}),
    ...(values.key ? { keyColumns: values.key } : {}),
  });
  if (values.json) line(io.stdout, JSON.stringify(profile));
  else io.stdout.write(renderProfile(profile));
  return 0;
}
