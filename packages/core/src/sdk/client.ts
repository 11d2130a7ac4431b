/**
 * @module sdk/client
 * The typed hub client: one method per endpoint of the hub's API (auth, API
 * keys, account, producer, consumer, marketplace, usage, admin audit). Bodies
 * are typed from the protocol and every answer is parsed with its protocol
 * schema, so a hub that drifts from the protocol fails loudly (BAD_RESPONSE).
 * Failures are HubError { status, code, message, details }.
 *
 * `fetch` is injectable: tests pass `app.request` of an in-process hub.
 * Payload bytes do not go through here: see `uploadPayload`/`downloadPayload`
 * in sdk/transfer.ts, fed with the targets and URLs these methods return.
 */
import {
  AccountKeysSchema,
  AccountSchema,
  ApiKeyCreatedSchema,
  ApiKeyListSchema,
  AuditPageSchema,
  AuditVerdictSchema,
  AuthSessionSchema,
  CatalogPageSchema,
  DatasetPageSchema,
  DatasetSchema,
  DecisionResultSchema,
  DownloadSchema,
  GrantsStoredSchema,
  KeyGrantSchema,
  ListingPageSchema,
  ListingSchema,
  PendingGrantListSchema,
  PricingSchema,
  ProviderListSchema,
  PublishedReleaseListSchema,
  ReleaseListSchema,
  ReleasePublishedSchema,
  ReleaseUploadSchema,
  SubscriberListSchema,
  SubscriptionListSchema,
  SubscriptionSchema,
  UploadConfigSchema,
  UsageListSchema,
} from '../protocol/index.js';
import type {
  AccountKeysUpdate,
  AccountUpdate,
  ApiKeyCreate,
  DatasetCreateInput,
  DatasetUpdate,
  EnableFeature,
  GrantFulfilment,
  LoginRequest,
  ProducerDecision,
  ReleaseComplete,
  ReleaseStart,
  SignupRequest,
  SubscriptionRequest,
  SubscriptionStatus,
} from '../protocol/index.js';
import { HttpCore } from './client-http.js';
import type { HttpOptions } from './client-http.js';

export { HubError } from './client-http.js';
export type { Credential, HttpOptions as HubClientOptions } from './client-http.js';

const enc = encodeURIComponent;
type Page = { cursor?: string; limit?: number };

export class HubClient {
  readonly http: HttpCore;

  constructor(opts: HttpOptions) {
    this.http = new HttpCore(opts);
  }

  /** Use this access token or API key from now on. */
  setCredential(credential: HttpOptions['credential']): void {
    this.http.setCredential(credential);
  }

  // auth
  signup = (body: SignupRequest) => this.http.send({ method: 'POST', path: '/v1/auth/signup', body, schema: AuthSessionSchema, anonymous: true });
  login = (body: LoginRequest) => this.http.send({ method: 'POST', path: '/v1/auth/login', body, schema: AuthSessionSchema, anonymous: true });
  refresh = (refreshToken: string) => this.http.send({ method: 'POST', path: '/v1/auth/refresh', body: { refreshToken }, schema: AuthSessionSchema, anonymous: true });
  logout = (refreshToken: string) => this.http.send<void>({ method: 'POST', path: '/v1/auth/logout', body: { refreshToken }, anonymous: true });

  // API keys
  createApiKey = (body: ApiKeyCreate) => this.http.send({ method: 'POST', path: '/v1/auth/api-keys', body, schema: ApiKeyCreatedSchema });
  listApiKeys = () => this.http.send({ method: 'GET', path: '/v1/auth/api-keys', schema: ApiKeyListSchema });
  revokeApiKey = (id: string) => this.http.send<void>({ method: 'DELETE', path: `/v1/auth/api-keys/${enc(id)}` });

  // account
  profile = () => this.http.send({ method: 'GET', path: '/v1/account/profile', schema: AccountSchema });
  updateProfile = (body: AccountUpdate) => this.http.send({ method: 'PUT', path: '/v1/account/profile', body, schema: AccountSchema });
  enableFeature = (feature: EnableFeature['feature']) => this.http.send({ method: 'POST', path: '/v1/account/enable-feature', body: { feature }, schema: AccountSchema });
  putKeys = (body: AccountKeysUpdate) => this.http.send({ method: 'PUT', path: '/v1/account/keys', body, schema: AccountKeysSchema });
  keys = () => this.http.send({ method: 'GET', path: '/v1/account/keys', schema: AccountKeysSchema });
  accountKeys = (accountId: string) => this.http.send({ method: 'GET', path: `/v1/accounts/${enc(accountId)}/keys`, schema: AccountKeysSchema });

  // producer: datasets and releases
  createDataset = (body: DatasetCreateInput) => this.http.send({ method: 'POST', path: '/v1/producer/datasets', body, schema: DatasetSchema });
  listDatasets = (page: Page = {}) => this.http.send({ method: 'GET', path: '/v1/producer/datasets', query: page, schema: DatasetPageSchema });
  updateDataset = (id: string, body: DatasetUpdate) => this.http.send({ method: 'PUT', path: `/v1/producer/datasets/${enc(id)}`, body, schema: DatasetSchema });
  archiveDataset = (id: string) => this.http.send({ method: 'POST', path: `/v1/producer/datasets/${enc(id)}/archive`, schema: DatasetSchema });
  startRelease = (datasetId: string, body: ReleaseStart) => this.http.send({ method: 'POST', path: `/v1/producer/datasets/${enc(datasetId)}/releases`, body, schema: ReleaseUploadSchema });
  listReleases = (datasetId: string) => this.http.send({ method: 'GET', path: `/v1/producer/datasets/${enc(datasetId)}/releases`, schema: ReleaseListSchema });
  renewUploadTarget = (releaseId: string) => this.http.send({ method: 'POST', path: `/v1/producer/releases/${enc(releaseId)}/upload-target`, schema: ReleaseUploadSchema });
  completeRelease = (releaseId: string, body: ReleaseComplete) => this.http.send({ method: 'POST', path: `/v1/producer/releases/${enc(releaseId)}/complete`, body, schema: ReleasePublishedSchema });
  ownGrant = (releaseId: string) => this.http.send({ method: 'GET', path: `/v1/producer/releases/${enc(releaseId)}/grant`, schema: KeyGrantSchema });
  uploadConfig = () => this.http.send({ method: 'GET', path: '/v1/producer/upload-config', schema: UploadConfigSchema });

  // producer: subscribers and grants
  subscribers = (status?: SubscriptionStatus) => this.http.send({ method: 'GET', path: '/v1/producer/subscribers', query: { status }, schema: SubscriberListSchema });
  approve = (body: ProducerDecision) => this.http.send({ method: 'POST', path: '/v1/producer/approve', body, schema: DecisionResultSchema });
  reject = (body: ProducerDecision) => this.http.send({ method: 'POST', path: '/v1/producer/reject', body, schema: DecisionResultSchema });
  suspend = (body: ProducerDecision) => this.http.send({ method: 'POST', path: '/v1/producer/suspend', body, schema: DecisionResultSchema });
  reinstate = (body: ProducerDecision) => this.http.send({ method: 'POST', path: '/v1/producer/reinstate', body, schema: DecisionResultSchema });
  pendingGrants = () => this.http.send({ method: 'GET', path: '/v1/producer/pending-grants', schema: PendingGrantListSchema });
  putGrants = (body: GrantFulfilment) => this.http.send({ method: 'POST', path: '/v1/producer/grants', body, schema: GrantsStoredSchema });

  // consumer
  catalog = (query: Page & { q?: string } = {}) => this.http.send({ method: 'GET', path: '/v1/consumer/catalog', query, schema: CatalogPageSchema });
  subscribe = (body: SubscriptionRequest) => this.http.send({ method: 'POST', path: '/v1/consumer/subscribe', body, schema: SubscriptionSchema });
  unsubscribe = (subscriptionId: string) => this.http.send({ method: 'DELETE', path: `/v1/consumer/unsubscribe/${enc(subscriptionId)}`, schema: SubscriptionSchema });
  subscriptions = () => this.http.send({ method: 'GET', path: '/v1/consumer/subscriptions', schema: SubscriptionListSchema });
  datasetReleases = (datasetId: string) => this.http.send({ method: 'GET', path: `/v1/consumer/datasets/${enc(datasetId)}/releases`, schema: PublishedReleaseListSchema });
  download = (releaseId: string) => this.http.send({ method: 'GET', path: `/v1/consumer/download/${enc(releaseId)}`, schema: DownloadSchema });

  // marketplace (public)
  marketplaceDatasets = (query: Page & { q?: string; category?: string; producerId?: string } = {}) =>
    this.http.send({ method: 'GET', path: '/v1/marketplace/datasets', query, schema: ListingPageSchema, anonymous: true });
  marketplaceDataset = (id: string) => this.http.send({ method: 'GET', path: `/v1/marketplace/dataset/${enc(id)}`, schema: ListingSchema, anonymous: true });
  providers = () => this.http.send({ method: 'GET', path: '/v1/marketplace/providers', schema: ProviderListSchema, anonymous: true });
  pricing = () => this.http.send({ method: 'GET', path: '/v1/marketplace/pricing', schema: PricingSchema, anonymous: true });

  // usage and audit
  usage = (query: { since?: string; limit?: number } = {}) => this.http.send({ method: 'GET', path: '/v1/usage', query, schema: UsageListSchema });
  auditEntries = (query: { after?: number; limit?: number } = {}) => this.http.send({ method: 'GET', path: '/v1/admin/audit', query, schema: AuditPageSchema });
  verifyAudit = () => this.http.send({ method: 'GET', path: '/v1/admin/audit/verify', schema: AuditVerdictSchema });
}

