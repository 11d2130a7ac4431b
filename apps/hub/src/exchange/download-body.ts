/**
 * @module exchange/download-body
 * The JSON text of a download answer, `{ release, manifest, grant, url,
 * expiresAt }`, byte for byte what `JSON.stringify` of that object gives.
 *
 * Invariant relied on: a published release never changes. The store writes
 * manifest, profile and published_at in the one conditional UPDATE that
 * leaves 'uploading', and nothing updates them afterwards. So the release
 * view and the manifest (most of the answer) are serialized once per
 * (release id, publishedAt) and remembered, bounded; only the caller's grant,
 * the URL and its expiry are serialized per answer. Measured: building and
 * serializing the whole answer took ~17 µs of a ~150 µs download.
 */
import type { GrantRecord, ReleaseRecord } from '../store/releases.js';
import { publishedView } from './views.js';

const MAX_RELEASES = 1024;

/** One per app (tests run several hubs in one process, and ids from a test clock may repeat). */
export function downloadBodies(): (r: ReleaseRecord, grant: Pick<GrantRecord, 'recipient' | 'header'>, url: string, expiresAt: string) => string {
  const heads = new Map<string, string>();
  return (r, grant, url, expiresAt) => {
    const key = `${r.id}\n${r.publishedAt}`;
    let head = heads.get(key);
    if (head === undefined) {
      head = `{"release":${JSON.stringify(publishedView(r))},"manifest":${JSON.stringify(r.manifest)}`;
      if (heads.size >= MAX_RELEASES) heads.delete(heads.keys().next().value!);
      heads.set(key, head);
    }
    return `${head},"grant":${JSON.stringify({ recipient: grant.recipient, header: grant.header })},"url":${JSON.stringify(url)},"expiresAt":${JSON.stringify(expiresAt)}}`;
  };
}
