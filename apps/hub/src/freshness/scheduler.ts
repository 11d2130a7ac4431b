/**
 * @module freshness/scheduler
 * Runs `runFreshnessCheck` periodically in a long-lived process (Node). On
 * Workers, a Cron Trigger calls runFreshnessCheck directly instead. Checks
 * never overlap; a failed check is logged and the next one runs on time.
 */
import type { HubDeps } from '../deps.js';
import { runFreshnessCheck } from './check.js';

export const DEFAULT_CHECK_INTERVAL_MS = 60_000;

export function startFreshnessScheduler(deps: Pick<HubDeps, 'store' | 'clock' | 'logger'>, intervalMs = DEFAULT_CHECK_INTERVAL_MS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(() =>
      runFreshnessCheck(deps).catch((err: unknown) => deps.logger?.error('freshness check failed', { error: err instanceof Error ? err.message : String(err) })),
    );
  };
  const timer = setInterval(tick, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
