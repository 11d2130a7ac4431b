/**
 * @module engine/webhook
 * The consumer's webhook on the hub (/v1/consumer/webhook), for Settings.
 * The hub has no DELETE: "remove" disables it. The signing secret is in the
 * answer that generated it only; the UI shows it once.
 */
import { HubError, type Connection } from '@dme/core/client';
import { WebhookConfigSchema, WebhookPutResultSchema } from '@dme/core/protocol';
import type { WebhookView } from '../shared/models.js';
import { DesktopError } from '../shared/result.js';

async function send(conn: Connection, method: 'GET' | 'PUT', body?: unknown): Promise<unknown> {
  const res = await conn.session.fetch(`${conn.config.hubUrl}/v1/consumer/webhook`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null;
  if (!res.ok) throw new HubError(res.status, json?.error?.code ?? 'HUB_ERROR', json?.error?.message ?? `the hub answered ${res.status}`, json?.error?.details);
  return json;
}

function unavailable(why: string): WebhookView {
  return { available: false, unavailable: why, url: null, enabled: false };
}

function tierName(tier: unknown): string {
  return typeof tier === 'string' && tier ? tier.charAt(0) + tier.slice(1).toLowerCase() : 'a tier without webhooks';
}

export class WebhookService {
  constructor(private readonly require: () => { conn: Connection }) {}

  /** The webhook, or a state the UI shows as is where the account cannot have one (not an error). */
  async get(): Promise<WebhookView> {
    const { conn } = this.require();
    try {
      const w = WebhookConfigSchema.parse(await send(conn, 'GET'));
      return { available: true, url: w.url, enabled: w.enabled };
    } catch (e) {
      if (!(e instanceof HubError)) throw e;
      if (e.status === 404) return { available: true, url: null, enabled: false };
      if (e.code === 'TIER_LIMIT') return unavailable(`Webhooks need the Professional tier; this account is on ${tierName(e.details?.['tier'])}.`);
      if (e.status === 403) return unavailable('Webhooks are for accounts that receive data.');
      throw e;
    }
  }

  async set(url: string | null): Promise<WebhookView> {
    const { conn } = this.require();
    if (url === null) {
      const current = await this.get();
      if (current.url === null) return current;
      const r = WebhookPutResultSchema.parse(await send(conn, 'PUT', { url: current.url, enabled: false }));
      return { available: true, url: r.webhook.url, enabled: r.webhook.enabled };
    }
    const parsed = WebhookPutResultSchema.safeParse(await send(conn, 'PUT', { url, enabled: true }));
    if (!parsed.success) throw new DesktopError('HUB_ERROR', 'The hub answered the webhook change with something unexpected.');
    const r = parsed.data;
    return { available: true, url: r.webhook.url, enabled: r.webhook.enabled, ...(r.secret ? { secret: r.secret } : {}) };
  }
}
