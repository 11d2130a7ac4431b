/**
 * @module engine/producer
 * The producer's side for the screens: my datasets, create one, release
 * history, subscribers and decisions. Approve and reinstate write the
 * subscriber's history grants with this machine's identity (core
 * approveSubscription); `fulfilPending` finishes grants left pending by an
 * approval made elsewhere, and runs every so often while the app is open.
 */
import { approveSubscription, fulfilPendingGrants, reinstateSubscription, HubError, type Connection } from '@dme/core/client';
import { loadSecrets } from '@dme/core/identity';
import type { Account, Dataset, Release, Subscriber, Subscription } from '@dme/core/protocol';
import { DesktopError } from '../shared/result.js';
import type { MyDataset, ReleaseView, SubscriberView, WatchFolder } from '../shared/models.js';

/** Bound on dataset pages walked (100 per page). */
const MAX_PAGES = 50;

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s || 'dataset';
}

export function myDataset(d: Dataset, watch?: WatchFolder): MyDataset {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    status: d.status,
    format: d.format,
    importMode: d.importMode,
    keyColumns: d.keyColumns,
    ...(d.expectedUpdateIntervalSeconds ? { expectedUpdateIntervalSeconds: d.expectedUpdateIntervalSeconds } : {}),
    ...(d.lastReleaseAt ? { lastReleaseAt: d.lastReleaseAt } : {}),
    ...(watch ? { watch } : {}),
  };
}

function releaseView(r: Release, fileName?: string): ReleaseView {
  return {
    id: r.id,
    datasetId: r.datasetId,
    status: r.status,
    createdAt: r.createdAt,
    sizeBytes: r.payloadSize,
    ...(r.status === 'published' ? { publishedAt: r.publishedAt, recordCount: r.recordCount } : {}),
    ...(fileName ? { fileName } : {}),
  };
}

export interface CreateDataset {
  name: string;
  description?: string | undefined;
  category?: string | undefined;
  tags?: string[] | undefined;
  format: Dataset['format'];
  importMode: Dataset['importMode'];
  keyColumns?: string[] | undefined;
  expectedUpdateIntervalSeconds?: number | undefined;
  publish: boolean;
}

export class ProducerService {
  private readonly datasetNames = new Map<string, string>();

  constructor(
    private readonly require: () => { conn: Connection; account: Account },
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly watchOf: (datasetId: string) => WatchFolder | undefined,
  ) {}

  private requireProducer(): Connection {
    const { conn, account } = this.require();
    if (!account.features.includes('DATA_PRODUCER')) throw new DesktopError('FORBIDDEN', 'This account is not a producer. Enable producing for it on the hub first.');
    return conn;
  }

  async datasets(): Promise<Dataset[]> {
    const conn = this.requireProducer();
    const out: Dataset[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await conn.hub.listDatasets({ limit: 100, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    out.forEach((d) => this.datasetNames.set(d.id, d.name));
    return out;
  }

  async list(): Promise<{ items: MyDataset[] }> {
    return { items: (await this.datasets()).map((d) => myDataset(d, this.watchOf(d.id))) };
  }

  async dataset(id: string): Promise<Dataset> {
    const found = (await this.datasets()).find((d) => d.id === id);
    if (!found) throw new DesktopError('NOT_FOUND', 'You have no dataset with that id.');
    return found;
  }

  async create(args: CreateDataset): Promise<MyDataset> {
    const conn = this.requireProducer();
    const body = {
      name: args.name,
      slug: slugify(args.name),
      format: args.format,
      importMode: args.importMode,
      ...(args.description ? { description: args.description } : {}),
      ...(args.category ? { category: args.category } : {}),
      ...(args.tags ? { tags: args.tags } : {}),
      ...(args.keyColumns ? { keyColumns: args.keyColumns } : {}),
      ...(args.expectedUpdateIntervalSeconds ? { expectedUpdateIntervalSeconds: args.expectedUpdateIntervalSeconds } : {}),
    };
    let d: Dataset;
    try {
      d = await conn.hub.createDataset(body);
    } catch (e) {
      // Slugs are unique per producer: a second "Phone numbers" gets a suffix rather than an error.
      if (!(e instanceof HubError) || e.status !== 409) throw e;
      d = await conn.hub.createDataset({ ...body, slug: `${body.slug}-${Math.random().toString(36).slice(2, 7)}` });
    }
    if (args.publish) d = await conn.hub.updateDataset(d.id, { status: 'PUBLISHED' });
    this.datasetNames.set(d.id, d.name);
    return myDataset(d, this.watchOf(d.id));
  }

  async history(datasetId: string, fileNames: Map<string, string>): Promise<{ items: ReleaseView[] }> {
    const conn = this.requireProducer();
    const { items } = await conn.hub.listReleases(datasetId);
    const sorted = [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { items: sorted.map((r) => releaseView(r, fileNames.get(r.id))) };
  }

  private subscriberView(s: { subscription: Subscription; consumer: Subscriber['consumer'] }, grantsWritten?: number): SubscriberView {
    const sub = s.subscription;
    return {
      id: sub.id,
      datasetId: sub.datasetId,
      datasetName: this.datasetNames.get(sub.datasetId) ?? sub.datasetId,
      consumerId: s.consumer.id,
      consumerName: s.consumer.organization ? `${s.consumer.displayName} (${s.consumer.organization})` : s.consumer.displayName,
      state: sub.status,
      createdAt: sub.createdAt,
      updatedAt: sub.updatedAt,
      ...(sub.message ? { message: sub.message } : {}),
      ...(sub.reason ? { reason: sub.reason } : {}),
      ...(grantsWritten !== undefined ? { grantsWritten } : {}),
    };
  }

  async subscribers(datasetId?: string): Promise<{ items: SubscriberView[] }> {
    const conn = this.requireProducer();
    if (this.datasetNames.size === 0) await this.datasets();
    const { items } = await conn.hub.subscribers();
    return { items: items.filter((s) => !datasetId || s.subscription.datasetId === datasetId).map((s) => this.subscriberView(s)) };
  }

  private async consumerOf(subscriptionId: string): Promise<Subscriber['consumer']> {
    const { items } = await this.requireProducer().hub.subscribers();
    const found = items.find((s) => s.subscription.id === subscriptionId);
    if (!found) throw new DesktopError('NOT_FOUND', 'No subscription with that id on your datasets.');
    return found.consumer;
  }

  async decide(action: 'approve' | 'reject' | 'suspend' | 'reinstate', subscriptionId: string, reason?: string): Promise<SubscriberView> {
    const conn = this.requireProducer();
    const consumer = await this.consumerOf(subscriptionId);
    if (action === 'approve' || action === 'reinstate') {
      const { secrets } = await loadSecrets(this.home, this.env);
      const res = action === 'approve' ? await approveSubscription(conn.hub, secrets, subscriptionId, reason) : await reinstateSubscription(conn.hub, secrets, subscriptionId, reason);
      const subscription = { ...res.decision.subscription, status: res.status as Subscription['status'] };
      return this.subscriberView({ subscription, consumer }, res.grants.stored);
    }
    const body = { subscriptionId, ...(reason ? { reason } : {}) };
    const res = action === 'reject' ? await conn.hub.reject(body) : await conn.hub.suspend(body);
    return this.subscriberView({ subscription: res.subscription, consumer });
  }

  /** Writes every pending history grant; returns how many were stored. Quietly 0 when not a producer. */
  async fulfilPending(): Promise<number> {
    const { conn, account } = this.require();
    if (!account.features.includes('DATA_PRODUCER')) return 0;
    const { secrets } = await loadSecrets(this.home, this.env);
    const res = await fulfilPendingGrants(conn.hub, secrets);
    return res.stored;
  }
}
