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
  const json = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new HubError(res.status, json?.error?.code ?? 'HUB_ERROR', json?.error?.message ?? `the hub answered ${res.status}`);
  return json;
}

export class WebhookService {
  constructor(private readonly require: () => { conn: Connection }) {}

  async get(): Promise<WebhookView> {
    const { conn } = this.require();
    try {
      const w = WebhookConfigSchema.parse(await send(conn, 'GET'));
      return { url: w.url, enabled: w.enabled };
    } catch (e) {
      if (e instanceof HubError && e.status === 404) return { url: null, enabled: false };
      throw e;
    }
  }

  async set(url: string | null): Promise<WebhookView> {
    const { conn } = this.require();
    if (url === null) {
      const current = await this.get();
      if (current.url === null) return current;
      const r = WebhookPutResultSchema.parse(await send(conn, 'PUT', { url: current.url, enabled: false }));
      return { url: r.webhook.url, enabled: r.webhook.enabled };
    }
    const parsed = WebhookPutResultSchema.safeParse(await send(conn, 'PUT', { url, enabled: true }));
    if (!parsed.success) throw new DesktopError('HUB_ERROR', 'The hub answered the webhook change with something unexpected.');
    const r = parsed.data;
    return { url: r.webhook.url, enabled: r.webhook.enabled, ...(r.secret ? { secret: r.secret } : {}) };
  }
}
