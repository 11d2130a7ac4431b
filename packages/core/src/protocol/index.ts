/**
 * @module protocol
 * The shared protocol: zod schemas for every model the hub and its clients
 * exchange. Single source of truth; web-standard code only.
 */
export * from './common.js';
export * from './tier-name.js';
export * from './account.js';
export * from './error.js';
export * from './profile.js';
export * from './auth.js';
export * from './fingerprint.js';
export * from './tier.js';
export * from './dataset.js';
export * from './manifest.js';
export * from './grant.js';
export * from './release.js';
export * from './subscription.js';
export * from './event.js';
export * from './api-marketplace.js';
export * from './api-consumer.js';
export * from './api-producer.js';
export * from './api-ledger.js';
export * from './api-events.js';
export * from './api-admin.js';
