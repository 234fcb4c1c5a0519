/**
 * @module A work queue keyed by object (`namespace/name`), after client-go's: a key is
 * queued at most once, never handed to two workers at the same time (an add while it is
 * being processed is remembered and replayed on `done`), failures come back after a
 * per-key exponential backoff combined with a global token bucket, and `addAfter` is the
 * RequeueAfter timer (for expiry and acknowledgement polling).
 *
 * Two priorities, as controller-runtime's priority queue has them: what the informers' lists
 * and the periodic resync bring (thousands of keys that are already converged) waits behind
 * what a watch event, a timer or a retry brings, so a new control is not queued behind the
 * whole cluster. A low key added again with high priority moves ahead.
 */

/** `low`: an initial list or a resync; `high`: everything else. */
export type Priority = "high" | "low";

export interface WorkQueueOptions {
  /** First retry delay after a failure. @default 10 */
  readonly baseDelayMs?: number;
  /** Longest per-key retry delay. @default 60000 */
  readonly maxDelayMs?: number;
  /** Global retry rate limit: tokens per second. @default 20 */
  readonly retriesPerSecond?: number;
  /** Global retry burst. @default 100 */
  readonly retryBurst?: number;
  /** Called with the number of queued keys whenever it changes. */
  readonly onDepth?: (depth: number) => void;
}

export class WorkQueue {
  private readonly high: string[] = [];
  private readonly low: string[] = [];
  /** Each queued key and the priority it is queued with. */
  private readonly queued = new Map<string, Priority>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly options: Required<Omit<WorkQueueOptions, "onDepth">>;
  private tokens: number;
  private tokensAt = Date.now();
  private shuttingDown = false;

  constructor(private readonly config: WorkQueueOptions = {}) {
    this.options = {
      baseDelayMs: config.baseDelayMs ?? 10,
      maxDelayMs: config.maxDelayMs ?? 60_000,
      retriesPerSecond: config.retriesPerSecond ?? 20,
      retryBurst: config.retryBurst ?? 100,
    };
    this.tokens = this.options.retryBurst;
  }

  /** Queue `key` now (no-op if already queued; replayed after `done` if being processed). */
  add(key: string, priority: Priority = "high"): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    const queuedAs = this.queued.get(key);
    if (queuedAs === "low" && priority === "high") {
      this.low.splice(this.low.indexOf(key), 1);
      this.queued.set(key, "high");
      this.high.push(key);
      return;
    }
    if (queuedAs !== undefined) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.set(key, priority);
    (priority === "high" ? this.high : this.low).push(key);
    this.config.onDepth?.(this.depth);
  }

  /** Queue `key` after `delayMs`; an earlier pending timer for the key wins. */
  addAfter(key: string, delayMs: number, priority: Priority = "high"): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key, priority);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key, priority);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** Queue `key` again after a failure: per-key exponential backoff, globally rate limited. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delayMs = Math.max(this.backoffMs(failures), this.takeToken());
    this.addAfter(key, delayMs);
    return delayMs;
  }

  /** Clear the failure count of `key` (after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures of `key` since it last succeeded. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.high.shift() ?? this.low.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      this.config.onDepth?.(this.depth);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark `key` processed; if it was added meanwhile, queue it again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  get depth(): number {
    return this.high.length + this.low.length;
  }

  /** Stop handing out keys; workers waiting in `get` receive undefined. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private backoffMs(failures: number): number {
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** failures);
  }

  /** Token bucket: 0 when a retry token is available now, else the wait for the next one. */
  private takeToken(): number {
    const now = Date.now();
    const refill = ((now - this.tokensAt) / 1000) * this.options.retriesPerSecond;
    this.tokens = Math.min(this.options.retryBurst, this.tokens + refill);
    this.tokensAt = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.options.retriesPerSecond) * 1000);
  }
}
