/**
 * @module cli/commands/webhook
 * `dme webhook set URL [--disable] [--rotate-secret] | show | test |
 * deliveries [--limit N] | redeliver DELIVERY`, all with --json: the
 * consumer's webhook on the hub. The secret is printed only when the hub
 * generates it (first set, or --rotate-secret); it is not shown again.
 * `test` queues a signed ping and waits (up to 15 s) for its first attempt.
 */
import { z } from 'zod';
import {
  WebhookConfigSchema,
  WebhookDeliveryListSchema,
  WebhookDeliverySchema,
  WebhookPutResultSchema,
} from '../../protocol/api-events.js';
import type { WebhookDelivery } from '../../protocol/api-events.js';
import type { Connection } from '../../client/connect.js';
import { parse, onePositional } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { requireLogin, withHub } from '../hub-io.js';
import { line, type Io } from '../io.js';

export const WEBHOOK_HELP = `Configure the webhook the hub pushes your events to (Professional tier and up).

usage: dme webhook set URL [--disable] [--rotate-secret] [--json]
       dme webhook show [--json]
       dme webhook test [--json]
       dme webhook deliveries [--limit N] [--json]
       dme webhook redeliver DELIVERY [--json]

Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp,
webhook-signature); verify them with the SDK's verifyWebhook(secret, headers, body).
The secret (whsec_…) is printed once, when generated: store it.`;

const USAGE = 'dme webhook set|show|test|deliveries|redeliver …';
const PATH = '/v1/consumer/webhook';

function describeDelivery(d: WebhookDelivery): string[] {
  const head = `${d.id}  ${d.type}${d.eventId ? ` event ${d.eventId}` : ''}  ${d.status}${d.nextAttemptAt ? ` (next attempt ${d.nextAttemptAt})` : ''}${d.redeliveryOf ? `  redelivery of ${d.redeliveryOf}` : ''}`;
  const attempts = d.attempts.map((a) => `    #${a.attempt} ${a.time}  ${a.ok ? 'ok' : 'failed'}  ${a.responseCode ?? '-'}  ${a.latencyMs} ms${a.error ? `  ${a.error}` : ''}`);
  return [head, ...attempts];
}

async function waitForAttempt(c: Connection, id: string): Promise<WebhookDelivery | undefined> {
  for (let i = 0; i < 30; i++) {
    const list = await c.hub.http.send({ method: 'GET', path: `${PATH}/deliveries`, query: { limit: 50 }, schema: WebhookDeliveryListSchema });
    const d = list.items.find((x) => x.id === id);
    if (d && d.attempts.length > 0) return d;
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

export async function webhookCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(
    rest,
    { disable: { type: 'boolean' }, 'rotate-secret': { type: 'boolean' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
  );
  const out = (json: unknown, text: string[]) => {
    if (values.json) line(io.stdout, JSON.stringify(json));
    else for (const t of text) line(io.stdout, t);
  };
  return withHub(io, async (c) => {
    requireLogin(c);
    switch (sub) {
      case 'set': {
        const url = onePositional(positionals, 'URL', 'dme webhook set URL [--disable] [--rotate-secret]');
        const r = await c.hub.http.send({
          method: 'PUT',
          path: PATH,
          body: { url, enabled: !values.disable, rotateSecret: Boolean(values['rotate-secret']) },
          schema: WebhookPutResultSchema,
        });
        out(r, [
          `${r.webhook.id}  ${r.webhook.url}  ${r.webhook.enabled ? 'enabled' : 'disabled'}`,
          ...(r.secret ? [`secret: ${r.secret}`, 'Store this secret now: it is not shown again.'] : []),
        ]);
        return 0;
      }
      case 'show': {
        const w = await c.hub.http.send({ method: 'GET', path: PATH, schema: WebhookConfigSchema });
        out(w, [
          `${w.id}  ${w.url}  ${w.enabled ? 'enabled' : 'disabled'}${w.disabledReason ? ` (${w.disabledReason})` : ''}`,
          `consecutive failures: ${w.consecutiveFailures}; updated ${w.updatedAt}`,
        ]);
        return 0;
      }
      case 'test': {
        const queued = await c.hub.http.send({ method: 'POST', path: `${PATH}/test`, schema: WebhookDeliverySchema });
        const d = await waitForAttempt(c, queued.id);
        if (!d) throw new CliError(`ping ${queued.id} queued, but the hub made no attempt within 15 s; see \`dme webhook deliveries\``);
        out(d, describeDelivery(d));
        return d.attempts[0]!.ok ? 0 : 1;
      }
      case 'deliveries': {
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be an integer from 1 to 500');
        const list = await c.hub.http.send({ method: 'GET', path: `${PATH}/deliveries`, query: { limit }, schema: WebhookDeliveryListSchema });
        out(list, list.items.length === 0 ? ['No deliveries yet.'] : list.items.flatMap(describeDelivery));
        return 0;
      }
      case 'redeliver': {
        const id = onePositional(positionals, 'DELIVERY id', 'dme webhook redeliver DELIVERY');
        if (!z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).safeParse(id).success) throw new UsageError('DELIVERY must be a delivery id from `dme webhook deliveries`');
        const d = await c.hub.http.send({ method: 'POST', path: `${PATH}/deliveries/${id}/redeliver`, schema: WebhookDeliverySchema });
        out(d, [`${d.id} queued (redelivery of ${d.redeliveryOf})`]);
        return 0;
      }
      default:
        throw new UsageError(`unknown webhook command "${sub ?? ''}"\n${WEBHOOK_HELP}`);
    }
  });
}
