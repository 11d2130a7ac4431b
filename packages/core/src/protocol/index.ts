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
