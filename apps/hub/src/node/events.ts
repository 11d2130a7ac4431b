/**
 * @module node/events
 * Event delivery on the Node hub: installs the in-process event runtime
 * (notifier, shared feed, heartbeat) on the hub's store and starts the
 * webhook delivery worker with the Node sender. `stop()` ends open SSE
 * streams (so the HTTP server can close) and waits for the worker's pass.
 *
 *   DME_HUB_EVENTS_HEARTBEAT_MS (15000): heartbeat comment interval on idle streams.
 */
import type { HubDeps } from '../deps.js';
import { installEventRuntime } from '../events/runtime.js';
import { createWebhookWorker } from '../webhooks/worker.js';
import type { WebhookWorker } from '../webhooks/worker.js';
import { nodeWebhookSender } from './webhook-sender.js';

export interface EventDelivery {
  worker: WebhookWorker;
  stop(): Promise<void>;
}

export function startEventDelivery(deps: HubDeps, env: Record<string, string | undefined>): EventDelivery {
  const hb = Number(env.DME_HUB_EVENTS_HEARTBEAT_MS ?? '');
  const rt = installEventRuntime(deps.store, Number.isInteger(hb) && hb >= 10 ? { heartbeatMs: hb } : {});
  const worker = createWebhookWorker({
    store: deps.store,
    clock: deps.clock,
    ids: deps.ids,
    sender: nodeWebhookSender({ devMode: deps.config.devMode }),
    notifier: rt.notifier,
    devMode: deps.config.devMode,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  worker.start();
  return {
    worker,
    async stop() {
      rt.close();
      await worker.stop();
    },
  };
}
