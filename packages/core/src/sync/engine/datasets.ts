/**
 * @module sync/engine/datasets
 * What the importer must know about a dataset (slug, name, producer, import
 * mode, key columns, columns), from the hub's public listing of it, which
 * carries the dataset as its producer last saved it and the provider's
 * display name. A dataset the hub no longer lists (archived, suspended) is
 * described from the library's own record of it, so its releases already
 * granted can still be imported.
 */
import type { Listing } from '../../protocol/api-marketplace.js';
import { HubError, type HubClient } from '../../sdk/client.js';
import type { Library } from '../library/library.js';
import type { LibraryDataset } from '../library/metadata.js';

export function datasetFromListing(listing: Listing): LibraryDataset {
  const d = listing.dataset;
  return {
    id: d.id,
    slug: d.slug,
    name: d.name,
    producer: listing.provider.organization ? `${listing.provider.displayName} (${listing.provider.organization})` : listing.provider.displayName,
    importMode: d.importMode,
    keyColumns: [...d.keyColumns],
    columns: d.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
  };
}

export async function describeDataset(hub: HubClient, library: Library, datasetId: string): Promise<LibraryDataset> {
  try {
    return datasetFromListing(await hub.marketplaceDataset(datasetId));
  } catch (err) {
    const known = err instanceof HubError && err.status === 404 ? library.dataset(datasetId) : undefined;
    if (!known) throw err;
    const { id, slug, name, producer, importMode, keyColumns, columns } = known;
    return { id, slug, name, producer, importMode, keyColumns, columns };
  }
}
