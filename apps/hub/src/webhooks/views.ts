/**
 * @module webhooks/views
 * Store records to the protocol's webhook bodies. The secret never leaves
 * through a view.
 */
import type { WebhookConfig, WebhookDelivery } from '@dme/core/protocol';
import type { AttemptRecord, DeliveryRecord, WebhookRecord } from '../store/deliveries.js';

export function webhookView(w: WebhookRecord): WebhookConfig {
  return {
    id: w.id,
    url: w.url,
    enabled: w.enabled,
    consecutiveFailures: w.consecutiveFailures,
    disabledReason: w.disabledReason,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

export function deliveryView(d: DeliveryRecord, log: AttemptRecord[]): WebhookDelivery {
  return {
    id: d.id,
    messageId: d.messageId,
    eventId: d.eventId === null ? null : String(d.eventId),
    type: d.type,
    status: d.status,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    redeliveryOf: d.redeliveryOf,
    createdAt: d.createdAt,
    attempts: log.map((a) => ({ ...a })),
  };
}
