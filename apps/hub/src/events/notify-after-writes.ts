/**
 * @module events/notify-after-writes
 * Middleware that wakes the event fan-out after every state-changing API
 * request. Events are inserted in the same transaction as their change, and
 * that transaction has committed when the handler returns, so this is a
 * post-commit hook without the store knowing about delivery. A request that
 * wrote no event costs one wasted read by the feed.
 */
import type { MiddlewareHandler } from 'hono';
import type { Store } from '../store/types.js';
import { eventRuntime } from './runtime.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function notifyAfterWrites(store: Store): MiddlewareHandler {
  return async (c, next) => {
    try {
      await next();
    } finally {
      if (!READS.has(c.req.method)) eventRuntime(store).notifier.notify();
    }
  };
}
