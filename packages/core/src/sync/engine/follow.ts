/**
 * @module sync/engine/follow
 * Following /v1/events for the engine. Each event's work is attempted before
 * the next event is read, and the events iterator saves the cursor only when
 * the next one is asked for: a crash replays the event instead of skipping
 * it. DATA_PUBLISHED for an active subscription queues the dataset's missing
 * releases and waits for that release's first attempt; a subscription event
 * re-reads the subscriptions (newly active datasets are caught up, ended
 * ones dropped). A reaction that fails (the hub briefly unreachable) is
 * retried later as a catch-up of that dataset, so the event is not lost.
 */
import type { DmeEvent } from '../../protocol/event.js';
import { events as eventStream, type CursorStore, type EventsClientOptions, type EventsOptions } from '../../sdk/events.js';
import type { Library } from '../library/library.js';
import type { RetryPolicy } from './backoff.js';
import type { CatchUp } from './catch-up.js';
import { describeFailure } from './errors.js';
import type { Logger } from './log.js';
import type { Scheduler } from './scheduler.js';

const SUBSCRIPTION_TYPES = new Set<DmeEvent['type']>([
  'SUBSCRIPTION_APPROVED',
  'SUBSCRIPTION_ACTIVATED',
  'SUBSCRIPTION_REINSTATED',
  'SUBSCRIPTION_SUSPENDED',
  'SUBSCRIPTION_CANCELLED',
  'SUBSCRIPTION_REJECTED',
]);

export interface FollowDeps {
  stream: EventsClientOptions;
  streamOptions?: Pick<EventsOptions, 'backoffMs' | 'maxBackoffMs' | 'idleTimeoutMs'>;
  cursorStore: CursorStore;
  catchUp: CatchUp;
  scheduler: Scheduler;
  library: Library;
  logger: Logger;
  policy: RetryPolicy;
  /** Ends the stream (stop()). */
  signal: AbortSignal;
}

/** Runs until `signal` aborts; throws EventStreamError when the hub refuses the stream. */
export async function followEvents(deps: FollowDeps): Promise<void> {
  const { signal, logger } = deps;
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  const stream = eventStream(deps.stream, {
    ...deps.streamOptions,
    cursorStore: deps.cursorStore,
    signal,
    onReconnect: ({ attempt, delayMs, error }) => logger.warn('event stream reconnecting', { attempt, delayMs, error: error instanceof Error ? error.message : String(error) }),
  });
  for await (const e of stream) {
    logger.debug('event', { id: e.id, type: e.type });
    try {
      await Promise.race([react(deps, e), stopped]);
    } catch (err) {
      const info = describeFailure(err);
      logger.error('event handling failed; catching up later', { id: e.id, type: e.type, code: info.code, error: info.message });
      deps.catchUp.later('datasetId' in e.data ? e.data.datasetId : undefined, deps.policy);
    }
    if (signal.aborted) break;
  }
}

async function react(deps: FollowDeps, e: DmeEvent): Promise<void> {
  if (e.type === 'DATA_PUBLISHED') {
    const { datasetId, releaseId } = e.data;
    if (!deps.catchUp.isActive(datasetId) || deps.library.hasRelease(releaseId)) return;
    const job = deps.scheduler.job(releaseId) ?? (await deps.catchUp.dataset(datasetId)).find((j) => j.releaseId === releaseId);
    if (job) await job.attempted;
    return;
  }
  if (SUBSCRIPTION_TYPES.has(e.type)) {
    const jobs = await deps.catchUp.refreshSubscriptions();
    await Promise.all(jobs.map((j) => j.attempted));
  }
}
