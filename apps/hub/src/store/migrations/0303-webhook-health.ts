/**
 * @module store/migrations/0303-webhook-health
 * Index behind the admin's webhook health figures: per webhook and delivery
 * status, the time each delivery last moved. "Last success", "last failure"
 * and "failed in the last 30 days" are then seeks or short range scans of
 * this covering index, however long a webhook's delivery log grows. The
 * (enabled, id) index keeps the admin's filtered webhook list a keyset range.
 */
export const sql = `
CREATE INDEX webhook_deliveries_health ON webhook_deliveries (webhook_id, status, updated_at);
CREATE INDEX webhooks_enabled_id ON webhooks (enabled, id);
`;
