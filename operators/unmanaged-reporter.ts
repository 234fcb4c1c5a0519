/**
 * @module The leader's periodic report of unmanaged controls (operators/unmanaged-controls.ts):
 * the gauge `breakwater_operator_unmanaged_controls{service,kind}` (alert
 * OperatorUnmanagedControl), and one warning log line per control the first time it is seen,
 * with its actor, reason and ticket. It only reports: lifting or adopting is a person's call
 * (runbooks/operator/OperatorUnmanagedControl.md).
 */
import type { Logger } from "pino";
import type { AdminClient } from "./admin-client";
import type { OperatorMetrics } from "./runtime/metrics";
import { type Declared, scanUnmanaged } from "./unmanaged-controls";

export interface UnmanagedReporterOptions {
  /** One admin client per target service, with the kinds it enforces. */
  readonly services: ReadonlyMap<string, { client: AdminClient; enforces: readonly string[] }>;
  readonly declared: () => Declared;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly intervalMs: number;
}

export class UnmanagedReporter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private reported = new Set<string>();
  /** The last counts per service, kept while a service cannot be asked. */
  private counts = new Map<string, Map<string, number>>();

  constructor(private readonly options: UnmanagedReporterOptions) {}

  start(): void {
    const tick = () => {
      this.running = this.scan()
        .catch((error) => this.options.log.warn({ err: error }, "unmanaged controls scan failed"))
        .finally(() => {
          if (this.running !== undefined) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    clearTimeout(this.timer);
    await running;
  }

  /** One comparison of every service with the caches; exported for tests. */
  async scan(): Promise<void> {
    const { services, metrics, log } = this.options;
    const clients = new Map([...services].map(([name, entry]) => [name, entry.client]));
    const result = await scanUnmanaged(clients, this.options.declared);
    const seen = new Set<string>();
    for (const service of result.scanned) {
      metrics.unmanagedScans.inc({ service, result: "ok" });
      const counts = new Map((services.get(service)?.enforces ?? []).map((kind) => [kind, 0]));
      for (const control of result.found.filter((entry) => entry.service === service))
        counts.set(control.kind, (counts.get(control.kind) ?? 0) + 1);
      this.counts.set(service, counts);
    }
    for (const control of result.found) {
      const key = `${control.service}/${control.id}`;
      seen.add(key);
      if (this.reported.has(key)) continue;
      log.warn(
        { ...control, lift: "never automatic: see runbooks/operator/OperatorUnmanagedControl.md" },
        "a service enforces a control no resource declares",
      );
    }
    for (const { service, message } of result.errors) {
      metrics.unmanagedScans.inc({ service, result: "error" });
      log.warn({ service, err: message }, "could not compare the service's controls");
      for (const key of this.reported) if (key.startsWith(`${service}/`)) seen.add(key);
    }
    this.reported = seen;
    metrics.unmanagedControls.reset();
    for (const [service, counts] of this.counts)
      for (const [kind, count] of counts) metrics.unmanagedControls.set({ service, kind }, count);
  }
}
