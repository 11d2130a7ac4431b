/**
 * @module store/quotas
 * Storage of monthly quota counters. API calls are counted per account and
 * month through a write-behind counter (limits/write-behind.ts): reads and
 * increments are in memory, writes are batched (≤ 1 s behind, flushed on
 * close). Download bandwidth is not counted separately: it is the sum of the
 * `download` rows of the usage table (one per download URL issued, written by
 * the consumer route), so it survives any restart without loss.
 */

export interface QuotaStore {
  /** Calls of the account in `month` (YYYY-MM), including unflushed ones; a number at once once loaded. */
  apiCalls(accountId: string, month: string): Promise<number> | number;
  /** Counts one call in memory; resolves at once after `apiCalls` for the same month. */
  countApiCall(accountId: string, month: string): Promise<void> | void;
  /** Bytes of download URLs issued to the account in [from, to). ISO times. */
  downloadBytes(accountId: string, from: string, to: string): Promise<number>;
  /** Persists pending counts (also done by Store.close()). */
  flush(): Promise<void>;
}
