/**
 * @module sync/import/writer-cache
 * The scratch writer's page cache (scratch-writer.ts), from the library's
 * page size.
 */

const MIN_CACHE_KIB = 2048;
/** Pages of 32 KiB and up would need more than this; their commit then rereads the WAL instead. */
const MAX_CACHE_KIB = 32768;

/**
 * The writer's page cache (KiB) for a library with `pageSize` pages, within
 * the library's own bound. Its copies only append to the staging table, but
 * the cache must hold the rightmost interior page for as long as it fills,
 * about pageSize / 8 new leaves. With less, SQLite spills that page to the
 * WAL and writes its frame again and again, and a commit that finds frames
 * rewritten recomputes the checksums of every frame after the first one,
 * i.e. rereads most of the WAL (5M phone rows, COMMIT alone: 16 KiB pages
 * 157-172 ms with 2 MiB, 13-23 ms from 20 MiB; 8 KiB pages 231 ms with 2 MiB,
 * 7 ms with 8 MiB). Beyond that it buys nothing (4 KiB pages, 2 vs 8 MiB:
 * 4.75-5.24 vs 4.73-5.05 s, peak RSS 175-180 vs 182-187 MB). At the
 * default 64 KiB pages (library.ts DEFAULT_PAGE_SIZE) the library's 8 MiB
 * bound applies: that page is rewritten, and the pull is still faster than
 * at any smaller size with the cache it needs.
 */
export function writerCacheKiB(pageSize: number, libraryCacheKiB: number): number {
  const needed = Math.min(MAX_CACHE_KIB, Math.max(MIN_CACHE_KIB, (pageSize / 8) * (pageSize / 1024)));
  return Math.min(libraryCacheKiB, needed);
}
