/**
 * @module cli/commands/datasets
 * `dme datasets create|list|update`: a producer's datasets. `--schema-from
 * FILE` declares the columns (and the format) the profiler infers from a
 * sample file. A new dataset is a DRAFT, invisible in the catalog, until
 * created with --publish or updated with --status PUBLISHED.
 */
import { resolveOwnDataset } from '../../client/connect.js';
import { profileFile } from '../../profile/index.js';
import type { Dataset, DatasetCreateInput, DatasetUpdate } from '../../protocol/dataset.js';
import { FILE_FORMATS, type FileFormat } from '../../protocol/profile.js';
import { parse, onePositional } from '../args.js';
import { UsageError } from '../errors.js';
import { requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

export const DATASETS_USAGE = 'dme datasets create --name NAME --slug SLUG [options] | list [--json] | update DATASET [options]';

export const DATASETS_HELP = `Create, list and update your datasets (producer).

usage:
  dme datasets create --name NAME --slug SLUG [options] [--publish] [--json]
  dme datasets list [--json]
  dme datasets update DATASET [options] [--status DRAFT|PUBLISHED|ARCHIVED] [--json]

options:
  --name NAME               display name
  --slug SLUG               url name: lowercase letters, digits, single hyphens
  --description TEXT
  --category SLUG
  --tag TAG                 repeatable
  --format csv|tsv|ndjson|json
  --compression none|gzip
  --mode snapshot|incremental   how consumers import releases
  --key COLUMN              key column, repeatable (incremental datasets need one)
  --interval DURATION       expected update interval: seconds, or 30m, 6h, 1d
  --schema-from FILE        declare columns (and format) profiled from a sample file
  --publish                 list the new dataset in the catalog at once

DATASET is an id or a slug.`;

const OPTIONS = {
  name: { type: 'string' },
  slug: { type: 'string' },
  description: { type: 'string' },
  category: { type: 'string' },
  tag: { type: 'string', multiple: true },
  format: { type: 'string' },
  compression: { type: 'string' },
  mode: { type: 'string' },
  key: { type: 'string', multiple: true },
  interval: { type: 'string' },
  'schema-from': { type: 'string' },
  status: { type: 'string' },
  publish: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export function parseInterval(text: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--interval must be seconds or a number with s, m, h or d (e.g. 6h), not "${text}"`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not ${value}`);
  return value as T;
}

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/** The dataset fields the flags set (shared by create and update). */
async function fieldsFrom(values: Values): Promise<DatasetUpdate> {
  const fields: DatasetUpdate = {};
  if (values.name !== undefined) fields.name = values.name;
  if (values.slug !== undefined) fields.slug = values.slug;
  if (values.description !== undefined) fields.description = values.description;
  if (values.category !== undefined) fields.category = values.category;
  if (values.tag !== undefined) fields.tags = values.tag;
  const format = oneOf<FileFormat>('format', values.format, FILE_FORMATS);
  const compression = oneOf('compression', values.compression, ['none', 'gzip'] as const);
  const mode = oneOf('mode', values.mode, ['snapshot', 'incremental'] as const);
  if (compression) fields.compression = compression;
  if (mode) fields.importMode = mode;
  if (values.key !== undefined) fields.keyColumns = values.key;
  if (values.interval !== undefined) fields.expectedUpdateIntervalSeconds = parseInterval(values.interval);
  if (values['schema-from']) {
    const profile = await profileFile(values['schema-from'], format ? { format } : {});
    fields.columns = profile.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullCount > 0 }));
    fields.format = format ?? profile.format;
    if (profile.compressed && !compression) fields.compression = 'gzip';
  } else if (format) fields.format = format;
  return fields;
}

function describe(d: Dataset): string {
  return `${d.id}  ${d.slug}  ${d.status}  "${d.name}"  ${d.format}/${d.importMode}${d.lastReleaseAt ? `  last release ${d.lastReleaseAt}` : ''}`;
}

export async function datasetsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'create' && sub !== 'list' && sub !== 'update') {
    throw new UsageError(`${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}\nusage: ${DATASETS_USAGE}`);
  }
  const { values, positionals } = parse(rest, OPTIONS, DATASETS_USAGE);
  const fields = sub === 'list' ? {} : await fieldsFrom(values);
  const status = oneOf('status', values.status, ['DRAFT', 'PUBLISHED', 'ARCHIVED'] as const);
  return withHub(io, async (c) => {
    requireLogin(c);
    let result: Dataset;
    if (sub === 'list') {
      const { items } = await c.hub.listDatasets({ limit: 100 });
      if (values.json) line(io.stdout, JSON.stringify({ items }));
      else if (items.length === 0) line(io.stdout, 'No datasets yet: dme datasets create --name … --slug …');
      else for (const d of items) line(io.stdout, describe(d));
      return 0;
    }
    if (sub === 'create') {
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\nusage: ${DATASETS_USAGE}`);
      if (!fields.name || !fields.slug) throw new UsageError(`--name and --slug are required\nusage: ${DATASETS_USAGE}`);
      if (!fields.format) throw new UsageError('--format (or --schema-from FILE) is required');
      result = await c.hub.createDataset(fields as DatasetCreateInput);
      if (values.publish || status === 'PUBLISHED') result = await c.hub.updateDataset(result.id, { status: 'PUBLISHED' });
    } else {
      const ref = onePositional(positionals, 'DATASET (id or slug)', DATASETS_USAGE);
      const update: DatasetUpdate = { ...fields, ...(status ? { status } : values.publish ? { status: 'PUBLISHED' } : {}) };
      if (Object.keys(update).length === 0) throw new UsageError('nothing to update: give at least one option');
      const current = await resolveOwnDataset(c.hub, ref);
      result = await c.hub.updateDataset(current.id, update);
    }
    if (values.json) line(io.stdout, JSON.stringify(result));
    else line(io.stdout, describe(result));
    return 0;
  });
}
