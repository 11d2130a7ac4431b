/**
 * @module protocol/profile
 * The profile of a data file: what one streaming pass over it learns (record
 * count, columns with inferred types, nulls, distinct estimates, quality).
 * Producers compute it before encrypting; the hub stores it with the release
 * and the catalog shows it, so it must never contain cell values beyond the
 * few short examples a producer chooses to publish.
 */
import { z } from 'zod';

export const FILE_FORMATS = ['csv', 'tsv', 'ndjson', 'json'] as const;
export const FileFormatSchema = z.enum(FILE_FORMATS);
export type FileFormat = z.infer<typeof FileFormatSchema>;

/** A column's type is the most specific one that ≥ 99% of its non-null values satisfy (see profile/column.ts). */
export const COLUMN_TYPES = ['integer', 'real', 'text', 'boolean', 'date', 'datetime', 'phone_e164'] as const;
export const ColumnTypeSchema = z.enum(COLUMN_TYPES);
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

export const ColumnProfileSchema = z.object({
  name: z.string().min(1),
  type: ColumnTypeSchema,
  nullCount: z.number().int().nonnegative(),
  /** HyperLogLog estimate; exact below a small threshold. */
  distinctEstimate: z.number().int().nonnegative(),
  /** Share of non-null values that parse as `type`, 0..1. */
  validity: z.number().min(0).max(1),
  /** Numbers for integer/real columns, ISO 8601 strings for date/datetime; absent otherwise. */
  min: z.union([z.string(), z.number()]).optional(),
  max: z.union([z.string(), z.number()]).optional(),
  /** Longest value in UTF-16 code units, for text and phone_e164 columns. */
  maxLength: z.number().int().nonnegative().optional(),
});
export type ColumnProfile = z.infer<typeof ColumnProfileSchema>;

/** GreyBase quality metrics, each 0..1 except `overallScore` (0..100); formulas in profile/quality.ts. */
export const QualityMetricsSchema = z.object({
  completeness: z.number().min(0).max(1),
  validity: z.number().min(0).max(1),
  /** Uniqueness of the key column(s); absent when no key was named. */
  uniqueness: z.number().min(0).max(1).optional(),
  consistency: z.number().min(0).max(1),
  overallScore: z.number().min(0).max(100),
});
export type QualityMetrics = z.infer<typeof QualityMetricsSchema>;

export const FileProfileSchema = z.object({
  format: FileFormatSchema,
  compressed: z.boolean(),
  recordCount: z.number().int().nonnegative(),
  /** Plaintext bytes read (after decompression). */
  bytes: z.number().int().nonnegative(),
  columns: z.array(ColumnProfileSchema),
  keyColumns: z.array(z.string()).optional(),
  quality: QualityMetricsSchema,
});
export type FileProfile = z.infer<typeof FileProfileSchema>;
