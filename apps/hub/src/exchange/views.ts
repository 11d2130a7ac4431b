/**
 * @module exchange/views
 * Store records → protocol bodies. Every response of the exchange routes is
 * built here, so what leaves the hub has exactly the protocol's shape (and
 * never a column the protocol does not name, such as blob keys).
 */
import type { Dataset, FileProfile, KeyGrant, Listing, PublishedRelease, Release, SignedManifest, Subscription } from '@dme/core/protocol';
import type { AccountRecord } from '../store/types.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { GrantRecord, ReleaseRecord } from '../store/releases.js';
import type { SubscriptionRecord } from '../store/subscriptions.js';

export function datasetView(d: DatasetRecord): Dataset {
  return {
    ...(d.details as Omit<Dataset, 'id'>),
    id: d.id,
    producerId: d.producerId,
    slug: d.slug,
    name: d.name,
    description: d.description,
    category: d.category,
    status: d.status,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    ...(d.publishedAt ? { publishedAt: d.publishedAt } : {}),
    ...(d.lastReleaseAt ? { lastReleaseAt: d.lastReleaseAt } : {}),
  };
}


export function releaseView(r: ReleaseRecord): Release {
  const base = { id: r.id, datasetId: r.datasetId, producerId: r.producerId, payloadSize: r.payloadSize, createdAt: r.createdAt };
  if (r.status === 'published') {
    const signed = r.manifest as SignedManifest;
    const m = signed.manifest;
    const profile = r.profile as FileProfile | null;
    return {
      ...base,
      status: 'published',
      payloadSha256: m.payloadSha256,
      plaintextSize: m.plaintextSize,
      plaintextSha256: m.plaintextSha256,
      recordCount: m.recordCount,
      schemaVersion: m.schemaVersion,
      ...(profile ? { profile } : {}),
      manifest: signed,
      publishedAt: r.publishedAt!,
    };
  }
  if (r.status === 'failed') return { ...base, status: 'failed', failureReason: 'upload failed' };
  return { ...base, status: 'uploading' };
}

/** For records known to be published (the caller checked `status`). */
export function publishedView(r: ReleaseRecord): PublishedRelease {
  if (r.status !== 'published') throw new Error(`release ${r.id} is ${r.status}, not published`);
  return releaseView(r) as PublishedRelease;
}

export function subscriptionView(s: SubscriptionRecord): Subscription {
  return {
    id: s.id,
    consumerId: s.consumerId,
    producerId: s.producerId,
    datasetId: s.datasetId,
    status: s.status,
    ...(s.approvedBy ? { approvedBy: s.approvedBy } : {}),
    ...(s.message ? { message: s.message } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function grantView(g: GrantRecord): KeyGrant {
  return { releaseId: g.releaseId, recipientAccountId: g.accountId, recipient: g.recipient, header: g.header, createdAt: g.createdAt };
}

export function providerView(a: AccountRecord): Listing['provider'] {
  return {
    id: a.id,
    displayName: a.displayName,
    ...(a.organization ? { organization: a.organization } : {}),
    ...(a.signingPublicKey ? { signingPublicKey: a.signingPublicKey } : {}),
  };
}

export function releaseSummary(r: ReleaseRecord | null): Listing['lastRelease'] {
  if (!r || r.status !== 'published') return null;
  const m = (r.manifest as SignedManifest).manifest;
  return { id: r.id, publishedAt: r.publishedAt!, payloadSize: r.payloadSize, recordCount: m.recordCount };
}
