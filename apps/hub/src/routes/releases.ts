/**
 * @module routes/releases
 * Publishing, mounted at /v1/producer: start a release (→ 'uploading' and an
 * upload target for key `<producerId>/<datasetId>/<releaseId>`), renew the
 * target, complete, list.
 *
 * Completion checks, cheapest first, and changes nothing until all pass:
 * manifest signed by the producer's registered key and naming this dataset,
 * release, size (and declared SHA-256); grants well formed, to registered
 * recipients, including the producer's own; then the blob is finalised and its
 * size and streamed SHA-256 compared. Only then, in ONE store transaction:
 * release → published, grants, dataset's last release, DATA_PUBLISHED, usage,
 * audit. Failure policy: the release stays 'uploading' and the database is
 * untouched; on a size or checksum mismatch of a finalised blob the bytes are
 * discarded, so the producer asks for a new upload target and uploads again.
 * Grants for accounts without an approved/active subscription are dropped
 * (a subscriber suspended mid-publish must not break a cron publisher).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { IdSchema, KeyGrantSchema, ReleaseCompleteSchema, ReleaseListSchema, ReleasePublishedSchema, ReleaseStartSchema, ReleaseUploadSchema } from '@dme/core/protocol';
import type { SignedManifest } from '@dme/core/protocol';
import { ManifestError, verifyManifest } from '@dme/core/manifest';
import { recorder } from '../audit/recorder.js';
import { DEFAULT_URL_TTL_SEC } from '../blob/signing.js';
import { BlobError } from '../blob/errors.js';
import type { UploadTarget } from '../blob/types.js';
import type { HubDeps } from '../deps.js';
import { HubError } from '../errors.js';
import { ownedDataset, ownedRelease } from '../exchange/access.js';
import { blobCall, toHubError } from '../exchange/blob-errors.js';
import { checkGrant, grantRecord, loadAccounts } from '../exchange/grants.js';
import type { GrantInput } from '../exchange/grants.js';
import { hashPayload } from '../exchange/payload-hash.js';
import { datasetView, grantView, publishedView, releaseView } from '../exchange/views.js';
import { authErrorResponses, bearerSecurity, conflictResponse, jsonBody, jsonResponse, newRouter, notFoundResponse } from '../openapi.js';
import type { DatasetRecord } from '../store/datasets.js';
import type { ReleaseRecord } from '../store/releases.js';

const tags = ['producer'];
const idParam = z.object({ id: IdSchema });
const integrity = { 422: { description: 'Size, checksum or signature does not match', content: { 'application/json': { schema: z.object({}) } } } } as const;

const start = createRoute({
  method: 'post',
  path: '/datasets/{id}/releases',
  tags,
  summary: 'Start a release: declare the payload, get an upload target',
  security: bearerSecurity,
  request: { params: idParam, body: jsonBody(ReleaseStartSchema) },
  responses: { 201: jsonResponse(ReleaseUploadSchema, 'The uploading release and where to upload'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const listReleases = createRoute({
  method: 'get',
  path: '/datasets/{id}/releases',
  tags,
  summary: 'List the releases of my dataset (any status), newest first',
  security: bearerSecurity,
  request: { params: idParam },
  responses: { 200: jsonResponse(ReleaseListSchema, 'Releases'), ...authErrorResponses, ...notFoundResponse },
});

const renew = createRoute({
  method: 'post',
  path: '/releases/{id}/upload-target',
  tags,
  summary: 'A fresh upload target for an uploading release (expired URLs, resume)',
  security: bearerSecurity,
  request: { params: idParam },
  responses: { 200: jsonResponse(ReleaseUploadSchema, 'The release and a fresh target'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse },
});

const complete = createRoute({
  method: 'post',
  path: '/releases/{id}/complete',
  tags,
  summary: 'Complete a release: verify payload and manifest, store grants, publish atomically',
  security: bearerSecurity,
  request: { params: idParam, body: jsonBody(ReleaseCompleteSchema) },
  responses: { 200: jsonResponse(ReleasePublishedSchema, 'The published release'), ...authErrorResponses, ...notFoundResponse, ...conflictResponse, ...integrity },
});

const ownGrant = createRoute({
  method: 'get',
  path: '/releases/{id}/grant',
  tags,
  summary: "My own key grant for a release (to unwrap and re-wrap for new subscribers)",
  security: bearerSecurity,
  request: { params: idParam },
  responses: { 200: jsonResponse(KeyGrantSchema, 'The grant'), ...authErrorResponses, ...notFoundResponse },
});

function integrityFailed(message: string, details?: Record<string, unknown>): HubError {
  return new HubError('INTEGRITY_FAILED', message, details ? { details } : {});
}

function writable(d: DatasetRecord): void {
  if (d.status === 'ARCHIVED' || d.status === 'SUSPENDED') throw new HubError('INVALID_STATE', `cannot publish to a ${d.status.toLowerCase()} dataset`);
}

export function releaseRoutes(deps: HubDeps) {
  const audit = recorder(deps.store, deps.clock);

  async function freshTarget(r: ReleaseRecord): Promise<UploadTarget> {
    const opts = { size: r.payloadSize, expiresInSec: DEFAULT_URL_TTL_SEC };
    try {
      return await deps.blobs.renewUpload(r.blobKey, r.uploadId ? { ...opts, uploadId: r.uploadId } : opts);
    } catch (err) {
      // Nothing staged any more (discarded after a mismatch, or never started): start over.
      if (!(err instanceof BlobError) || err.code !== 'NO_UPLOAD') throw toHubError(err);
    }
    const target = await blobCall(() => deps.blobs.createUpload(r.blobKey, opts));
    const uploadId = target.kind === 'multipart' ? target.uploadId : null;
    if (uploadId !== r.uploadId) await deps.store.releases.setUploadId(r.id, uploadId);
    return target;
  }

  /**
   * Finalises the blob (idempotent across retries) and returns its measured size
   * and SHA-256: the digest the store took while receiving when it has one
   * (local disk), else one read of the stored object.
   */
  async function finalise(r: ReleaseRecord, parts: { partNumber: number; etag: string }[] | undefined) {
    let received: string | undefined;
    try {
      const uploadId = r.uploadId ?? undefined;
      const list = parts ?? (uploadId ? await deps.blobs.listParts(r.blobKey, uploadId) : undefined);
      const done = await deps.blobs.completeUpload(r.blobKey, { ...(uploadId ? { uploadId } : {}), ...(list ? { parts: list } : {}), withDigest: true });
      received = done.sha256;
    } catch (err) {
      if (err instanceof BlobError && err.code === 'UPLOAD_INCOMPLETE') throw integrityFailed(`truncated upload: ${err.message}`, { declaredSize: r.payloadSize });
      // A previous completion finalised the blob but failed later: carry on with the stored object.
      if (!(err instanceof BlobError && err.code === 'NO_UPLOAD')) throw toHubError(err);
      if (!(await blobCall(() => deps.blobs.head(r.blobKey)))) throw new HubError('INVALID_STATE', 'nothing has been uploaded for this release; ask for an upload target');
    }
    const head = await blobCall(() => deps.blobs.head(r.blobKey));
    if (!head || head.size !== r.payloadSize) {
      await blobCall(() => deps.blobs.delete(r.blobKey));
      throw integrityFailed(`stored payload is ${head?.size ?? 0} bytes, ${r.payloadSize} were declared; upload again`);
    }
    if (received) return { size: head.size, sha256: received };
    const stream = await blobCall(() => deps.blobs.read(r.blobKey));
    if (!stream) throw new HubError('INVALID_STATE', 'the uploaded payload has disappeared; upload again');
    return hashPayload(stream);
  }

  return newRouter()
    .openapi(start, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const caller = c.var.caller;
      const dataset = await ownedDataset(deps, caller.accountId, id);
      writable(dataset);
      if (!caller.account.signingPublicKey || !caller.account.ageRecipient) {
        throw new HubError('INVALID_STATE', 'register your age recipient and signing key (PUT /v1/account/keys) before publishing');
      }
      const now = deps.clock.now().toISOString();
      const releaseId = deps.ids.id('rel');
      const blobKey = `${caller.accountId}/${dataset.id}/${releaseId}`;
      const target = await blobCall(() => deps.blobs.createUpload(blobKey, { size: body.payloadSize, expiresInSec: DEFAULT_URL_TTL_SEC }));
      const record: ReleaseRecord = {
        id: releaseId,
        datasetId: dataset.id,
        producerId: caller.accountId,
        status: 'uploading',
        payloadSize: body.payloadSize,
        payloadSha256: body.payloadSha256 ?? null,
        blobKey,
        uploadId: target.kind === 'multipart' ? target.uploadId : null,
        manifest: null,
        profile: null,
        createdAt: now,
        publishedAt: null,
      };
      const created = await audit.run(
        { actor: caller.accountId, action: 'release.start', subject: releaseId, details: { datasetId: dataset.id, payloadSize: body.payloadSize } },
        (effects) => deps.store.releases.create(record, effects),
      );
      return c.json({ release: releaseView(created), target }, 201);
    })
    .openapi(listReleases, async (c) => {
      const { id } = c.req.valid('param');
      const dataset = await ownedDataset(deps, c.var.caller.accountId, id);
      const items = await deps.store.releases.listByDataset(dataset.id, { limit: 1000 });
      return c.json({ items: items.map(releaseView) }, 200);
    })
    .openapi(ownGrant, async (c) => {
      const { id } = c.req.valid('param');
      const r = await ownedRelease(deps, c.var.caller.accountId, id);
      const g = r.status === 'published' ? await deps.store.releases.getGrant(r.id, c.var.caller.accountId) : null;
      if (!g) throw new HubError('NOT_FOUND', 'no grant for this release');
      return c.json(grantView(g), 200);
    })
    .openapi(renew, async (c) => {
      const { id } = c.req.valid('param');
      const r = await ownedRelease(deps, c.var.caller.accountId, id);
      if (r.status !== 'uploading') throw new HubError('INVALID_STATE', `the release is ${r.status}; nothing to upload`);
      const target = await freshTarget(r);
      return c.json({ release: releaseView({ ...r, uploadId: target.kind === 'multipart' ? target.uploadId : null }), target }, 200);
    })
    .openapi(complete, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const caller = c.var.caller;
      const producer = caller.account;
      const r = await ownedRelease(deps, caller.accountId, id);
      if (r.status === 'published') throw new HubError('CONFLICT', 'the release is already published');
      if (r.status !== 'uploading') throw new HubError('INVALID_STATE', `the release is ${r.status}`);
      const dataset = await ownedDataset(deps, caller.accountId, r.datasetId);
      writable(dataset);
      if (!producer.signingPublicKey) throw new HubError('INVALID_STATE', 'register your signing key before publishing');

      let manifest;
      try {
        manifest = await verifyManifest(body.manifest, producer.signingPublicKey);
      } catch (err) {
        if (err instanceof ManifestError) throw integrityFailed(`manifest rejected: ${err.message}`, { reason: err.code });
        throw err;
      }
      const mismatch = (
        [
          ['datasetId', manifest.datasetId, r.datasetId],
          ['releaseId', manifest.releaseId, r.id],
          ['payloadSize', manifest.payloadSize, r.payloadSize],
          ['payloadSha256', manifest.payloadSha256, r.payloadSha256 ?? manifest.payloadSha256],
        ] as const
      ).find(([, got, want]) => got !== want);
      if (mismatch) throw integrityFailed(`manifest.${mismatch[0]} does not match this release`, { field: mismatch[0] });

      const seen = new Set<string>();
      body.grants.forEach((g, i) => {
        if (seen.has(g.recipientAccountId)) throw new HubError('VALIDATION_FAILED', 'one grant per account', { details: { issues: [{ path: ['grants', i], message: 'duplicate recipientAccountId' }] } });
        seen.add(g.recipientAccountId);
      });
      if (!seen.has(caller.accountId)) {
        throw new HubError('VALIDATION_FAILED', "grants must include the producer's own grant", { details: { issues: [{ path: ['grants'], message: 'missing the producer grant' }] } });
      }
      const accounts = await loadAccounts((a) => deps.store.accounts.getById(a), [...seen]);
      body.grants.forEach((g, i) => checkGrant(g, accounts.get(g.recipientAccountId) ?? null, ['grants', i]));
      const kept: GrantInput[] = [];
      for (const g of body.grants) {
        if (g.recipientAccountId === caller.accountId) kept.push(g);
        else {
          const s = await deps.store.subscriptions.findLive(g.recipientAccountId, dataset.id);
          if (s && (s.status === 'active' || s.status === 'approved')) kept.push(g);
        }
      }

      const measured = await finalise(r, body.parts);
      if (measured.sha256 !== manifest.payloadSha256) {
        await blobCall(() => deps.blobs.delete(r.blobKey));
        throw integrityFailed('payload SHA-256 does not match the manifest; the upload was discarded, upload again');
      }

      const now = deps.clock.now().toISOString();
      const signed: SignedManifest = body.manifest;
      const view = datasetView(dataset);
      const published = await audit.run(
        {
          actor: caller.accountId,
          action: 'release.publish',
          subject: r.id,
          details: { datasetId: dataset.id, payloadSize: r.payloadSize, payloadSha256: measured.sha256, manifest: signed, grants: kept.map((g) => g.recipientAccountId) },
        },
        (effects) =>
          deps.store.releases.publish(
            { releaseId: r.id, manifest: signed, profile: body.profile ?? null, payloadSha256: measured.sha256, grants: kept.map((g) => grantRecord(r.id, g, now)), now },
            effects,
          ),
        {
          events: [
            {
              type: 'DATA_PUBLISHED',
              datasetId: dataset.id,
              accountId: null,
              createdAt: now,
              payload: {
                producerId: caller.accountId,
                datasetId: dataset.id,
                releaseId: r.id,
                fileSize: r.payloadSize,
                recordCount: manifest.recordCount,
                timestamp: now,
                checksum: `sha256:${measured.sha256}`,
                schemaVersion: manifest.schemaVersion,
                metadata: {
                  datasetName: view.name,
                  format: view.format,
                  ...(view.dataType ? { dataType: view.dataType } : {}),
                  ...(view.coverage ? { coverage: view.coverage } : {}),
                },
              },
            },
          ],
          usage: [{ accountId: caller.accountId, kind: 'upload', datasetId: dataset.id, releaseId: r.id, bytes: r.payloadSize, sha256: measured.sha256, createdAt: now }],
        },
      );
      if (!published) throw new HubError('CONFLICT', 'the release was completed by another request');
      const after = await deps.store.releases.get(r.id);
      return c.json({ release: publishedView(after!), grants: kept.length }, 200);
    });
}
