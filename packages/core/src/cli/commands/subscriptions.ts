/**
 * @module cli/commands/subscriptions
 * Both sides of subscriptions. Consumer: `dme catalog`, `dme subscribe
 * DATASET`, `dme subscriptions`. Producer: `dme subscribers [--status S]`,
 * `dme approve|reject|suspend|reinstate SUBSCRIPTION` and `dme grants
 * fulfil`. Approve and reinstate also write the history grants (client/grants
 * unwraps the producer's own grants with this machine's identity).
 */
import { resolveCatalogDataset } from '../../client/connect.js';
import { approveSubscription, fulfilPendingGrants, reinstateSubscription } from '../../client/grants.js';
import { loadSecrets } from '../../identity/store.js';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../protocol/subscription.js';
import { parse, onePositional } from '../args.js';
import { UsageError } from '../errors.js';
import { requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

export const CATALOG_HELP = `List the datasets you can subscribe to, with your subscription state.

usage: dme catalog [--search TEXT] [--json]`;

export const SUBSCRIBE_HELP = `Ask to subscribe to a dataset; its producer approves or rejects.

usage: dme subscribe DATASET [--message TEXT] [--json]

DATASET is an id or a slug from \`dme catalog\`.`;

export const SUBSCRIPTIONS_HELP = `List your subscriptions (consumer).

usage: dme subscriptions [--json]`;

export const SUBSCRIBERS_HELP = `List the subscribers of your datasets (producer).

usage: dme subscribers [--status ${SUBSCRIPTION_STATUSES.join('|')}] [--json]`;

export const DECISION_HELP = (action: string): string => `${action[0]!.toUpperCase()}${action.slice(1)} a subscription to one of your datasets.

usage: dme ${action} SUBSCRIPTION [--reason TEXT] [--json]
${action === 'approve' || action === 'reinstate' ? "\nAlso writes the subscriber's history grants: your own grant of each release in\ntheir window is unwrapped with this machine's identity and re-wrapped for them." : ''}${action === 'suspend' ? '\nThe subscriber\'s grants are deleted: new releases are not readable by them.\nFiles they already downloaded stay with them.' : ''}`;

export const GRANTS_HELP = `Write history grants still owed to approved or active subscribers.

usage: dme grants fulfil [--json]`;

export async function catalogCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { search: { type: 'string' }, json: { type: 'boolean' } }, 'dme catalog [--search TEXT] [--json]');
  return withHub(io, async (c) => {
    requireLogin(c);
    const page = await c.hub.catalog({ limit: 100, ...(values.search ? { q: values.search } : {}) });
    if (values.json) line(io.stdout, JSON.stringify(page));
    else if (page.items.length === 0) line(io.stdout, 'The catalog is empty.');
    else {
      for (const e of page.items) {
        const d = e.dataset;
        const sub = e.subscription ? `${e.subscription.status} (${e.subscription.id})` : 'not subscribed';
        line(io.stdout, `${d.id}  ${d.slug}  "${d.name}" by ${e.provider.displayName}  ${d.format}  ${sub}${e.lastRelease ? `  last release ${e.lastRelease.publishedAt}` : ''}`);
      }
    }
    return 0;
  });
}

export async function subscribeCommand(argv: string[], io: Io): Promise<number> {
  const usage = 'dme subscribe DATASET [--message TEXT] [--json]';
  const { values, positionals } = parse(argv, { message: { type: 'string' }, json: { type: 'boolean' } }, usage);
  const ref = onePositional(positionals, 'DATASET (id or slug)', usage);
  return withHub(io, async (c) => {
    requireLogin(c);
    const entry = await resolveCatalogDataset(c.hub, ref);
    const s = await c.hub.subscribe({ datasetId: entry.dataset.id, ...(values.message ? { message: values.message } : {}) });
    if (values.json) line(io.stdout, JSON.stringify(s));
    else line(io.stdout, `${s.id}  ${s.status}: asked ${entry.provider.displayName} for ${entry.dataset.slug}`);
    return 0;
  });
}

export async function subscriptionsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } }, 'dme subscriptions [--json]');
  return withHub(io, async (c) => {
    requireLogin(c);
    const { items } = await c.hub.subscriptions();
    if (values.json) line(io.stdout, JSON.stringify({ items }));
    else if (items.length === 0) line(io.stdout, 'No subscriptions: see `dme catalog`.');
    else for (const s of items) line(io.stdout, `${s.id}  ${s.status}  dataset ${s.datasetId}  since ${s.createdAt}${s.reason ? `  (${s.reason})` : ''}`);
    return 0;
  });
}

export async function subscribersCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { status: { type: 'string' }, json: { type: 'boolean' } }, 'dme subscribers [--status STATUS] [--json]');
  const status = values.status;
  if (status !== undefined && !(SUBSCRIPTION_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
  return withHub(io, async (c) => {
    requireLogin(c);
    const { items } = await c.hub.subscribers(status as SubscriptionStatus | undefined);
    if (values.json) line(io.stdout, JSON.stringify({ items }));
    else if (items.length === 0) line(io.stdout, 'No subscribers.');
    else for (const { subscription: s, consumer } of items) line(io.stdout, `${s.id}  ${s.status}  ${consumer.displayName}${consumer.organization ? ` (${consumer.organization})` : ''}  dataset ${s.datasetId}${s.message ? `  "${s.message}"` : ''}`);
    return 0;
  });
}

export function decisionCommand(action: 'approve' | 'reject' | 'suspend' | 'reinstate') {
  return async (argv: string[], io: Io): Promise<number> => {
    const usage = `dme ${action} SUBSCRIPTION [--reason TEXT] [--json]`;
    const { values, positionals } = parse(argv, { reason: { type: 'string' }, json: { type: 'boolean' } }, usage);
    const id = onePositional(positionals, 'SUBSCRIPTION id', usage);
    return withHub(io, async (c) => {
      requireLogin(c);
      const reason = values.reason;
      if (action === 'approve' || action === 'reinstate') {
        const { secrets } = await loadSecrets(c.config.home, io.env);
        const r = await (action === 'approve' ? approveSubscription : reinstateSubscription)(c.hub, secrets, id, reason);
        if (values.json) line(io.stdout, JSON.stringify({ subscription: { ...r.decision.subscription, status: r.status }, grantsWritten: r.grants.stored, skipped: r.grants.skipped.length }));
        else {
          line(io.stdout, `${id}  ${r.status}: ${r.grants.stored} history grant(s) written`);
          if (r.grants.skipped.length > 0) line(io.stderr, `dme ${action}: warning: ${r.grants.skipped.length} grant(s) skipped: the subscriber's key changed since approval`);
        }
        return 0;
      }
      const body = { subscriptionId: id, ...(reason ? { reason } : {}) };
      const r = action === 'reject' ? await c.hub.reject(body) : await c.hub.suspend(body);
      if (values.json) line(io.stdout, JSON.stringify(r));
      else line(io.stdout, `${id}  ${r.subscription.status}`);
      return 0;
    });
  };
}

export async function grantsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'fulfil') throw new UsageError(`${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}\nusage: dme grants fulfil [--json]`);
  const { values } = parse(rest, { json: { type: 'boolean' } }, 'dme grants fulfil [--json]');
  return withHub(io, async (c) => {
    requireLogin(c);
    const { secrets } = await loadSecrets(c.config.home, io.env);
    const r = await fulfilPendingGrants(c.hub, secrets);
    if (values.json) line(io.stdout, JSON.stringify({ stored: r.stored, activated: r.activated, skipped: r.skipped }));
    else line(io.stdout, `${r.stored} grant(s) written; ${r.activated.length} subscription(s) activated${r.skipped.length ? `; ${r.skipped.length} skipped (subscriber key changed)` : ''}`);
    return 0;
  });
}
