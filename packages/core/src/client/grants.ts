/**
 * @module client/grants
 * History grants, written by the producer's client because only it holds the
 * producer identity (DESIGN §2): approving a subscriber asks the hub which
 * releases the subscriber's tier window covers (the hub lists them as pending
 * grants), then for each one unwraps the producer's own grant and re-wraps the
 * file key for the subscriber alone. A subscription becomes active when its
 * history is fully granted; if this client stops half-way, the rest stays
 * pending and `fulfilPendingGrants` finishes it later.
 */
import { grantHeader } from '../crypto/age/index.js';
import type { IdentitySecrets } from '../identity/store.js';
import type { DecisionResult } from '../protocol/api-producer.js';
import type { PendingGrant } from '../protocol/grant.js';
import type { HubClient } from '../sdk/client.js';

/** The hub accepts at most this many grants per request. */
const BATCH = 500;

export interface FulfilResult {
  stored: number;
  activated: string[];
  /** Pending grants left alone because the subscriber's recipient changed since approval. */
  skipped: PendingGrant[];
}

/**
 * Writes every pending grant (optionally only those of one subscription).
 * Each recipient is re-checked against the account's current key before the
 * file key is wrapped to it.
 */
export async function fulfilPendingGrants(hub: HubClient, secrets: IdentitySecrets, opts: { subscriptionId?: string } = {}): Promise<FulfilResult> {
  const { items } = await hub.pendingGrants();
  const pending = items.filter((p) => !opts.subscriptionId || p.subscriptionId === opts.subscriptionId);
  const current = new Map<string, string | null>();
  const skipped: PendingGrant[] = [];
  const ready: Array<PendingGrant & { header: string }> = [];
  const ownHeaders = new Map<string, Uint8Array>();
  for (const p of pending) {
    if (!current.has(p.recipientAccountId)) current.set(p.recipientAccountId, (await hub.accountKeys(p.recipientAccountId)).ageRecipient);
    if (current.get(p.recipientAccountId) !== p.recipient) {
      skipped.push(p);
      continue;
    }
    let own = ownHeaders.get(p.releaseId);
    if (!own) {
      own = new Uint8Array(Buffer.from((await hub.ownGrant(p.releaseId)).header, 'base64'));
      ownHeaders.set(p.releaseId, own);
    }
    ready.push({ ...p, header: Buffer.from(grantHeader(own, [secrets.ageIdentity], p.recipient)).toString('base64') });
  }
  let stored = 0;
  const activated: string[] = [];
  for (let i = 0; i < ready.length; i += BATCH) {
    const batch = ready.slice(i, i + BATCH).map((g) => ({ releaseId: g.releaseId, recipientAccountId: g.recipientAccountId, recipient: g.recipient, header: g.header }));
    const res = await hub.putGrants({ grants: batch });
    stored += res.stored;
    activated.push(...res.activated);
  }
  return { stored, activated, skipped };
}

export interface ApproveResult {
  decision: DecisionResult;
  grants: FulfilResult;
  /** Status after the history grants were written. */
  status: string;
}

/** Approves a pending subscription and writes its history grants. */
export async function approveSubscription(hub: HubClient, secrets: IdentitySecrets, subscriptionId: string, reason?: string): Promise<ApproveResult> {
  const decision = await hub.approve({ subscriptionId, ...(reason ? { reason } : {}) });
  const empty: FulfilResult = { stored: 0, activated: [], skipped: [] };
  if (decision.pendingGrants === 0) return { decision, grants: empty, status: decision.subscription.status };
  const grants = await fulfilPendingGrants(hub, secrets, { subscriptionId });
  return { decision, grants, status: grants.activated.includes(subscriptionId) ? 'active' : decision.subscription.status };
}

/** Reinstates a suspended subscription; grants deleted at suspension are written again. */
export async function reinstateSubscription(hub: HubClient, secrets: IdentitySecrets, subscriptionId: string, reason?: string): Promise<ApproveResult> {
  const decision = await hub.reinstate({ subscriptionId, ...(reason ? { reason } : {}) });
  const grants = decision.pendingGrants > 0 ? await fulfilPendingGrants(hub, secrets, { subscriptionId }) : { stored: 0, activated: [], skipped: [] };
  return { decision, grants, status: decision.subscription.status };
}
