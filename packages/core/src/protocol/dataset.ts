/**
 * @module protocol/dataset
 * Datasets: what a producer publishes releases into, as listed in the
 * catalog. Metadata follows the DME seed's event metadata (dataType,
 * coverage) and the GreyBase data-product model (geography, languages,
 * licence, pricing, time range). Invariants, checked on every full dataset:
 * column names are unique; an incremental dataset names ≥ 1 key column; key
 * columns exist among the declared columns when columns are declared.
 * DatasetUpdate is partial: the hub MUST re-validate the merged dataset.
 */
import { z } from 'zod';
import { IdSchema, SlugSchema, TimestampSchema } from './common.js';
import { ColumnTypeSchema, FileFormatSchema } from './profile.js';

export const DATASET_STATUSES = ['DRAFT', 'PUBLISHED', 'ARCHIVED', 'SUSPENDED'] as const;
export const DatasetStatusSchema = z.enum(DATASET_STATUSES);
export type DatasetStatus = z.infer<typeof DatasetStatusSchema>;

export const IMPORT_MODES = ['snapshot', 'incremental'] as const;
export const ImportModeSchema = z.enum(IMPORT_MODES);
export type ImportMode = z.infer<typeof ImportModeSchema>;

export const CompressionSchema = z.enum(['none', 'gzip']);

/** SQLite-friendly column name: the importer uses it as an identifier. */
export const ColumnNameSchema = z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'column names are letters, digits and _, not starting with a digit');

export const ColumnSchema = z.object({
  name: ColumnNameSchema,
  type: ColumnTypeSchema,
  nullable: z.boolean(),
  description: z.string().max(1000).optional(),
});
export type Column = z.infer<typeof ColumnSchema>;

/** An uppercase token like the seed's `US_CANADA`, `phone_numbers` stays free text in dataType. */
export const CoverageSchema = z.string().min(1).max(64).regex(/^[A-Z0-9]+(?:_[A-Z0-9]+)*$/, 'coverage is an uppercase token like US_CANADA');

export const LicenseSchema = z.object({
  type: z.string().min(1).max(64),
  terms: z.string().max(20_000).optional(),
  restrictions: z.array(z.string().min(1).max(200)).max(50).optional(),
});

export const PricingModelSchema = z.enum(['ONE_TIME', 'SUBSCRIPTION', 'PAY_PER_USE']);
export const DatasetPricingSchema = z.object({
  model: PricingModelSchema,
  /** Minor units (cents) so prices stay exact. */
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code, e.g. USD'),
});

export const TimeRangeSchema = z
  .object({ start: TimestampSchema, end: TimestampSchema.optional() })
  .refine((r) => r.end === undefined || r.end >= r.start, 'timeRange.end is before timeRange.start');

const editable = {
  name: z.string().trim().min(1).max(200),
  slug: SlugSchema,
  description: z.string().max(10_000),
  category: SlugSchema,
  tags: z.array(z.string().trim().min(1).max(40)).max(20),
  format: FileFormatSchema,
  compression: CompressionSchema,
  columns: z.array(ColumnSchema).max(1000),
  importMode: ImportModeSchema,
  keyColumns: z.array(ColumnNameSchema).max(16),
  /** How often a release is expected; absent = no schedule, never late. */
  expectedUpdateIntervalSeconds: z.number().int().min(60).max(366 * 86_400).optional(),
  /** Slack after the interval before DATA_LATE is emitted. */
  gracePeriodSeconds: z.number().int().min(0).max(30 * 86_400),
  dataType: z.string().min(1).max(64).optional(),
  coverage: CoverageSchema.optional(),
  geographicCoverage: z.array(z.string().min(2).max(64)).max(300).optional(),
  /** BCP 47 tags, e.g. en, en-US. */
  languages: z.array(z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'BCP 47 language tag')).max(50).optional(),
  license: LicenseSchema.optional(),
  pricing: DatasetPricingSchema.optional(),
  timeRange: TimeRangeSchema.optional(),
};

type Checked = { columns?: Column[] | undefined; importMode?: ImportMode | undefined; keyColumns?: string[] | undefined };
/** Cross-field invariants from the module doc; fields absent from a partial update are skipped. */
function checkDataset(d: Checked, ctx: z.RefinementCtx): void {
  const names = (d.columns ?? []).map((c) => c.name);
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `duplicate column ${n}` });
    seen.add(n);
  });
  if (d.importMode === 'incremental' && d.keyColumns !== undefined && d.keyColumns.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['keyColumns'], message: 'an incremental dataset needs at least one key column' });
  }
  if (d.keyColumns && names.length > 0) {
    d.keyColumns.forEach((k, i) => {
      if (!seen.has(k)) ctx.addIssue({ code: 'custom', path: ['keyColumns', i], message: `key column ${k} is not a declared column` });
    });
  }
}

export const DatasetSchema = z
  .object({
    id: IdSchema,
    producerId: IdSchema,
    ...editable,
    status: DatasetStatusSchema,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    publishedAt: TimestampSchema.optional(),
    /** Time of the newest published release; drives freshness. */
    lastReleaseAt: TimestampSchema.optional(),
  })
  .superRefine(checkDataset);
export type Dataset = z.infer<typeof DatasetSchema>;

/** POST /producer/datasets. A new dataset starts as DRAFT. */
export const DatasetCreateSchema = z
  .strictObject({
    ...editable,
    description: editable.description.default(''),
    category: editable.category.default('uncategorized'),
    tags: editable.tags.default([]),
    compression: editable.compression.default('none'),
    columns: editable.columns.default([]),
    importMode: editable.importMode.default('snapshot'),
    keyColumns: editable.keyColumns.default([]),
    gracePeriodSeconds: editable.gracePeriodSeconds.default(3600),
  })
  .superRefine(checkDataset);
export type DatasetCreate = z.infer<typeof DatasetCreateSchema>;
export type DatasetCreateInput = z.input<typeof DatasetCreateSchema>;

/** Optional dataset fields an update may clear by sending null. */
const CLEARABLE = ['expectedUpdateIntervalSeconds', 'dataType', 'coverage', 'geographicCoverage', 'languages', 'license', 'pricing', 'timeRange'] as const;
type Clearable = (typeof CLEARABLE)[number];
type UpdateShape = { [K in keyof typeof editable]: K extends Clearable ? z.ZodOptional<z.ZodNullable<(typeof editable)[K]>> : z.ZodOptional<(typeof editable)[K]> };
const updateShape = Object.fromEntries(
  Object.entries(editable).map(([k, v]) => [k, (CLEARABLE as readonly string[]).includes(k) ? v.nullable().optional() : v.optional()]),
) as UpdateShape;

/**
 * PUT /producer/datasets/{id}: members present are changed, null clears an
 * optional member. Producers move DRAFT↔PUBLISHED↔ARCHIVED; SUSPENDED is set
 * by admins only.
 */
export const DatasetUpdateSchema = z
  .strictObject({ ...updateShape, status: z.enum(['DRAFT', 'PUBLISHED', 'ARCHIVED']).optional() })
  .superRefine(checkDataset)
  .refine((u) => Object.keys(u).length > 0, 'an update must change at least one field');
export type DatasetUpdate = z.infer<typeof DatasetUpdateSchema>;

/** Catalog query (GET /marketplace/datasets). */
export const DatasetQuerySchema = z.object({
  q: z.string().max(200).optional(),
  category: SlugSchema.optional(),
  tag: z.string().max(40).optional(),
  producerId: IdSchema.optional(),
  coverage: CoverageSchema.optional(),
});
export type DatasetQuery = z.infer<typeof DatasetQuerySchema>;
