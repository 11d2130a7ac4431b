/**
 * @module engine/catalog
 * The consumer's side of the hub for the screens: catalog list and detail
 * (with freshness from GET /v1/freshness/{id}), subscribe, my subscriptions
 * joined with what the local library holds for each.
 */
import type { CatalogEntry, Dataset, FileProfile, Freshness as HubFreshness, Subscription } from '@dme/core/protocol';
import { FreshnessSchema } from '@dme/core/protocol';
import type { Connection } from '@dme/core/client';
import { DesktopError } from '../shared/result.js';
import type { CatalogItem, ColumnView, DatasetDetail, Freshness, SubscriptionView } from '../shared/models.js';
import type { LibraryData } from './data.js';

/** Bound on catalog pages walked to find one dataset, so a runaway cursor cannot loop. */
const MAX_PAGES = 50;

export function catalogItem(e: { dataset: Dataset; provider: { displayName: string }; lastRelease: { publishedAt: string } | null; subscription?: { id: string; status: SubscriptionView['state'] } | null }): CatalogItem {
  const d = e.dataset;
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    producerId: d.producerId,
    producerName: e.provider.displayName,
    category: d.category,
    tags: d.tags,
    format: d.format,
    importMode: d.importMode,
    ...(d.expectedUpdateIntervalSeconds ? { expectedUpdateIntervalSeconds: d.expectedUpdateIntervalSeconds } : {}),
    ...(e.lastRelease ? { lastReleaseAt: e.lastRelease.publishedAt } : d.lastReleaseAt ? { lastReleaseAt: d.lastReleaseAt } : {}),
    ...(e.subscription ? { subscription: { id: e.subscription.id, state: e.subscription.status } } : {}),
  };
}

function freshnessView(f: HubFreshness): Freshness {
  return {
    late: f.state === 'LATE',
    ...(f.score !== null ? { score: f.score / 100 } : {}),
    ...(f.lastReleaseAt ? { lastReleaseAt: f.lastReleaseAt } : {}),
    ...(f.expectedBy ? { nextExpectedAt: f.expectedBy } : {}),
  };
}

export class CatalogService {
  /** Dataset names and producers seen, so subscriptions (which carry only ids) can be shown by name. */
  private readonly names = new Map<string, { name: string; producer: string }>();

  constructor(
    private readonly require: () => { conn: Connection; account: { id: string } },
    private readonly data: LibraryData,
  ) {}

  private remember(e: CatalogEntry): void {
    this.names.set(e.dataset.id, { name: e.dataset.name, producer: e.provider.displayName });
  }

  async list(args: { q?: string | undefined; cursor?: string | undefined; limit?: number | undefined }) {
    const { conn } = this.require();
    const page = await conn.hub.catalog({ ...(args.q ? { q: args.q } : {}), ...(args.cursor ? { cursor: args.cursor } : {}), limit: args.limit ?? 50 });
    page.items.forEach((e) => this.remember(e));
    return { items: page.items.map(catalogItem), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  private async entry(datasetId: string): Promise<CatalogEntry> {
    const { conn } = this.require();
    let cursor: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await conn.hub.catalog({ limit: 100, ...(cursor ? { cursor } : {}) });
      page.items.forEach((e) => this.remember(e));
      const found = page.items.find((e) => e.dataset.id === datasetId);
      if (found) return found;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    throw new DesktopError('NOT_FOUND', 'That dataset is not in the catalog (it may have been archived).');
  }

  async freshness(datasetId: string): Promise<Freshness | undefined> {
    const { conn } = this.require();
    try {
      const res = await conn.session.fetch(`${conn.config.hubUrl}/v1/freshness/${encodeURIComponent(datasetId)}`);
      if (!res.ok) {
        await res.body?.cancel();
        return undefined;
      }
      const parsed = FreshnessSchema.safeParse(await res.json());
      return parsed.success ? freshnessView(parsed.data) : undefined;
    } catch {
      return undefined; // Freshness is a nicety: the rest of the detail still shows.
    }
  }

  /**
   * The newest release's profiled columns, where the hub lets this account
   * read releases: its own dataset, or one it actively subscribes to.
   * Undefined otherwise or on failure (the rest of the detail still shows).
   */
  private async profiledColumns(e: CatalogEntry): Promise<ColumnView[] | undefined> {
    if (!e.lastRelease) return undefined;
    const { conn, account } = this.require();
    try {
      let profile: FileProfile | undefined;
      if (e.dataset.producerId === account.id) {
        const { items } = await conn.hub.listReleases(e.dataset.id);
        profile = items
          .filter((r) => r.status === 'published')
          .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))
          .find((r) => r.profile)?.profile;
      } else if (e.subscription?.status === 'active') {
        const { items } = await conn.hub.datasetReleases(e.dataset.id);
        profile = items.find((r) => r.profile)?.profile; // newest first
      }
      return profile?.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullCount > 0 }));
    } catch {
      return undefined;
    }
  }

  async detail(datasetId: string): Promise<DatasetDetail> {
    const e = await this.entry(datasetId);
    const d = e.dataset;
    const [freshness, profiled] = await Promise.all([this.freshness(datasetId), d.columns.length > 0 ? undefined : this.profiledColumns(e)]);
    const declared: ColumnView[] = d.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, ...(c.description ? { description: c.description } : {}) }));
    return {
      ...catalogItem(e),
      compression: d.compression,
      columns: declared.length > 0 ? declared : (profiled ?? []),
      columnsFrom: declared.length > 0 ? 'dataset' : profiled ? 'release' : 'none',
      keyColumns: d.keyColumns,
      ...(d.coverage ? { coverage: d.coverage } : {}),
      ...(freshness ? { freshness } : {}),
    };
  }

  private view(s: Subscription): SubscriptionView {
    const known = this.names.get(s.datasetId);
    const local = this.data.datasetState(s.datasetId);
    return {
      id: s.id,
      datasetId: s.datasetId,
      datasetName: known?.name ?? s.datasetId,
      producerId: s.producerId,
      ...(known ? { producerName: known.producer } : {}),
      state: s.status,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(local ? { table: local.table, rows: local.rows, ...(local.lastRelease ? { lastRelease: local.lastRelease } : {}) } : {}),
    };
  }

  async subscribe(args: { datasetId: string; message?: string | undefined }): Promise<SubscriptionView> {
    const { conn } = this.require();
    if (!this.names.has(args.datasetId)) await this.entry(args.datasetId);
    const s = await conn.hub.subscribe({ datasetId: args.datasetId, ...(args.message ? { message: args.message } : {}) });
    return this.view(s);
  }

  async subscriptions(): Promise<{ items: SubscriptionView[] }> {
    const { conn } = this.require();
    const { items } = await conn.hub.subscriptions();
    if (items.some((s) => !this.names.has(s.datasetId))) await this.list({ limit: 200 }).catch(() => undefined);
    return { items: items.map((s) => this.view(s)) };
  }

  async unsubscribe(subscriptionId: string): Promise<SubscriptionView> {
    const { conn } = this.require();
    return this.view(await conn.hub.unsubscribe(subscriptionId));
  }

  /** Name and producer of a dataset, for notifications; falls back to ids. */
  async describe(datasetId: string): Promise<{ name: string; producer: string }> {
    if (!this.names.has(datasetId)) await this.entry(datasetId).catch(() => undefined);
    return this.names.get(datasetId) ?? { name: datasetId, producer: 'A producer' };
  }
}
