/**
 * @module sync/library/migrations
 * Every schema change of the library, in order. Invariant: versions are
 * 1, 2, 3… with no gaps, a released migration is never edited (add a new
 * file instead), and each runs inside one transaction with its user_version.
 */
import * as m0001 from './0001-metadata.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [m0001];

export const LATEST_VERSION = MIGRATIONS.length;
