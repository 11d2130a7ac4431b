/**
 * @module sync/engine/scheduler
 * Which release the engine works on next. One FIFO queue per dataset,
 * oldest release first: a dataset's releases are applied in publication
 * order (an incremental upsert out of order would undo newer rows), and only
 * the head of a queue is ever ready. Datasets are served round-robin, and a
 * failed head waits for its retry time without holding up other datasets.
 * Pure bookkeeping (no I/O, time passed in), so it is tested on its own.
 */

export interface Job {
  readonly releaseId: string;
  readonly datasetId: string;
  /** Failed attempts so far. */
  failures: number;
  /** Not before this time (ms since epoch). */
  retryAt: number;
  /** Settles after the first attempt, whatever its outcome (the event loop waits on it). */
  readonly attempted: Promise<void>;
  markAttempted(): void;
}

function newJob(datasetId: string, releaseId: string, now: number): Job {
  let resolve: () => void = () => {};
  const attempted = new Promise<void>((r) => (resolve = r));
  return { releaseId, datasetId, failures: 0, retryAt: now, attempted, markAttempted: () => resolve() };
}

export class Scheduler {
  private readonly queues = new Map<string, Job[]>();
  private readonly byRelease = new Map<string, Job>();
  /** Dataset served last, so the next pick starts after it. */
  private last: string | undefined;

  get size(): number {
    return this.byRelease.size;
  }

  job(releaseId: string): Job | undefined {
    return this.byRelease.get(releaseId);
  }

  /** Appends releases (oldest first) not queued yet; returns the job of every given id. */
  enqueue(datasetId: string, releaseIds: readonly string[], now: number): Job[] {
    let queue = this.queues.get(datasetId);
    if (!queue) this.queues.set(datasetId, (queue = []));
    return releaseIds.map((id) => {
      const known = this.byRelease.get(id);
      if (known) return known;
      const job = newJob(datasetId, id, now);
      queue.push(job);
      this.byRelease.set(id, job);
      return job;
    });
  }

  /** The ready head of the next dataset in round-robin order, if any. */
  next(now: number): Job | undefined {
    const ids = [...this.queues.keys()];
    if (ids.length === 0) return undefined;
    const start = this.last === undefined ? 0 : (ids.indexOf(this.last) + 1) % ids.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[(start + i) % ids.length]!;
      const head = this.queues.get(id)![0];
      if (head && head.retryAt <= now) {
        this.last = id;
        return head;
      }
    }
    return undefined;
  }

  /** Earliest time a head becomes ready; undefined when nothing is queued. */
  wakeAt(): number | undefined {
    let at: number | undefined;
    for (const q of this.queues.values()) if (q[0] && (at === undefined || q[0].retryAt < at)) at = q[0].retryAt;
    return at;
  }

  /** True when the dataset has releases queued after `job`. */
  hasLater(job: Job): boolean {
    const q = this.queues.get(job.datasetId) ?? [];
    return q.indexOf(job) < q.length - 1;
  }

  /** Takes a job off its queue (done, or given up) and releases its waiters. */
  remove(job: Job): void {
    const q = this.queues.get(job.datasetId);
    if (q) {
      const i = q.indexOf(job);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) this.queues.delete(job.datasetId);
    }
    this.byRelease.delete(job.releaseId);
    job.markAttempted();
  }

  /** Forgets a dataset's queue (its subscription ended); returns what was dropped. */
  dropDataset(datasetId: string): Job[] {
    const dropped = [...(this.queues.get(datasetId) ?? [])];
    for (const job of dropped) this.remove(job);
    return dropped;
  }

  datasets(): string[] {
    return [...this.queues.keys()];
  }
}
