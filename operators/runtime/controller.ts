/**
 * @module One controller per control kind: informers feed keys into a work queue, workers
 * take one key at a time (never the same key twice at once), read the object from the cache
 * and call the kind's reconciler. Success clears the key's backoff and honours
 * `requeueAfterMs`; a failure requeues it with backoff. Every key is requeued on a periodic
 * resync, so drift in the services (a lost PUT, a restarted replica) is corrected.
 */
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import { ConflictError } from "./control-client";
import { standingOf } from "./control-standing";
import type { Informer } from "./informer";
import type { OperatorMetrics } from "./metrics";
import { type ControlObject, logFields } from "./resource";
import type { WorkQueue } from "./work-queue";

const tracer = trace.getTracer("breakwater-operator");

export interface ReconcileResult {
  /** Reconcile this object again after this long (expiry, acknowledgement polling). */
  readonly requeueAfterMs?: number;
  /** Whether the control is in force after this reconcile (for the metric). */
  readonly inForce?: boolean;
}

export interface Reconciler {
  readonly kind: string;
  reconcile(object: ControlObject): Promise<ReconcileResult>;
  /**
   * The object with this key is gone. Normally its finalizer already undid its effect; this
   * is the safety net for an effect made before the finalizer was in place.
   */
  gone?(namespace: string, name: string): Promise<void>;
  /**
   * The informer's view of `key` changed (undefined: gone). With `related`, returns the keys
   * of other objects whose reconcile depends on it (controls competing for the same target).
   */
  observe?(key: string, object: ControlObject | undefined, related: boolean): string[];
}

export interface ControllerOptions {
  readonly reconciler: Reconciler;
  readonly informers: readonly Informer<ControlObject>[];
  readonly queue: WorkQueue;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** @default 4 */
  readonly workers?: number;
  /** @default 30000 */
  readonly resyncMs?: number;
}

export class Controller {
  private readonly inForce = new Set<string>();
  /** When each key's current version became due (see `noticed`), for time to enforce. */
  private readonly due = new Map<string, { signature: string; atMs: number }>();
  private workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ControllerOptions) {}

  get kind(): string {
    return this.options.reconciler.kind;
  }

  /** Start the informers (first list done) and the workers. */
  async start(): Promise<void> {
    await Promise.all(this.options.informers.map((informer) => informer.start()));
    const count = this.options.workers ?? 4;
    this.workers = Array.from({ length: count }, () => this.work());
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs ?? 30_000);
  }

  /** Stop taking keys, let in-flight reconciles finish, stop watching. */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.options.queue.shutdown();
    await Promise.all(this.workers);
    await Promise.all(this.options.informers.map((informer) => informer.stop()));
  }

  get synced(): boolean {
    return this.options.informers.every((informer) => informer.hasSynced);
  }

  /** Whether an object with this key is cached. */
  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  /** Every cached object (every informer of this kind). */
  *objects(): Iterable<ControlObject> {
    for (const informer of this.options.informers) yield* informer.values();
  }

  /**
   * The informer saw `key` change: remember when a version that must be enforced afresh
   * appeared (a new generation, or new annotations such as an approval). The operator's own
   * status writes change neither, so they do not restart the clock.
   */
  noticed(key: string): void {
    const object = this.find(key);
    if (!object) {
      this.due.delete(key);
      return;
    }
    const { generation, annotations } = object.metadata;
    const signature = `${generation}:${JSON.stringify(annotations ?? {})}`;
    if (this.due.get(key)?.signature !== signature)
      this.due.set(key, { signature, atMs: Date.now() });
  }

  /**
   * Every key again, spread over the resync period rather than all at once: thousands of
   * converged controls arriving together would hold the workers and the CPU in bursts.
   */
  private resync(): void {
    const keys = this.options.informers.flatMap((informer) => informer.keys());
    const periodMs = this.options.resyncMs ?? 30_000;
    for (const [index, key] of keys.entries())
      this.options.queue.addAfter(key, Math.floor((index / keys.length) * periodMs), "low");
  }

  private find(key: string): ControlObject | undefined {
    for (const informer of this.options.informers) {
      const object = informer.get(key);
      if (object) return object;
    }
    return undefined;
  }

  private async work(): Promise<void> {
    const { queue } = this.options;
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await this.process(key);
      } finally {
        queue.done(key);
      }
    }
  }

  private async process(key: string): Promise<void> {
    const { queue, metrics, reconciler, log } = this.options;
    const object = this.find(key);
    const kind = reconciler.kind;
    if (!object) {
      this.setInForce(key, false);
      const [namespace = "", name = ""] = key.split("/");
      try {
        await reconciler.gone?.(namespace, name);
        queue.forget(key);
      } catch (error) {
        log.warn({ err: error, key, kind }, "cleanup after deletion failed; retrying");
        queue.addRateLimited(key);
      }
      return;
    }
    const stopTimer = metrics.reconcileDuration.startTimer({ kind });
    const before = standingOf(object);
    try {
      const result = await traced(`reconcile ${kind}`, key, () => reconciler.reconcile(object));
      queue.forget(key);
      if (result.inForce && before.state !== "enforced") this.observeEnforced(key);
      if (result.inForce !== undefined) this.setInForce(key, result.inForce);
      if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      metrics.reconciles.inc({
        kind,
        result: result.requeueAfterMs !== undefined ? "requeue" : "success",
      });
    } catch (error) {
      const delayMs = queue.addRateLimited(key);
      metrics.reconciles.inc({
        kind,
        result: error instanceof ConflictError ? "conflict" : "error",
      });
      const fields = {
        err: error,
        ...logFields(object),
        delayMs,
        failures: queue.failureCount(key),
      };
      if (error instanceof ConflictError)
        log.debug(fields, "reconcile lost a write race; retrying");
      else log.warn(fields, "reconcile failed; retrying with backoff");
    } finally {
      stopTimer();
    }
  }

  private observeEnforced(key: string): void {
    const due = this.due.get(key);
    if (due === undefined || this.inForce.has(key)) return;
    this.options.metrics.timeToEnforce.observe({ kind: this.kind }, (Date.now() - due.atMs) / 1000);
  }

  private setInForce(key: string, inForce: boolean): void {
    if (inForce) this.inForce.add(key);
    else this.inForce.delete(key);
    this.options.metrics.controlsInForce.set({ kind: this.kind }, this.inForce.size);
  }
}

/**
 * Run one reconcile as a span (with tracing on, `services/kit/tracing.ts`): the calls it makes
 * to the services' admin API join its trace, so a control's way from resource to replica reads
 * as one trace. Without tracing the span records nothing.
 */
function traced<T>(name: string, key: string, reconcile: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes: { "breakwater.control": key } }, (span) =>
    reconcile().then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw error;
      },
    ),
  );
}
