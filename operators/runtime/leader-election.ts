/**
 * @module Leader election on a coordination.k8s.io/v1 Lease, after client-go's: replicas
 * compete for one Lease; the holder renews it every retry period and only it acts; a
 * candidate takes over when the record has not changed for a whole lease duration (measured
 * on its own clock, so clock skew between replicas does not matter) or was released. A
 * leader that cannot renew within the renew deadline stops leading.
 */
import type { Logger } from "pino";
import { isStatus, type KubeApi } from "./kube-api";

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly log: Logger;
  /** Called once this replica holds the Lease. */
  readonly onStartedLeading: () => Promise<void> | void;
  /** Called when a leader loses the Lease (it should stop acting at once). */
  readonly onStoppedLeading: () => void;
}

/** MicroTime, as the API server formats it (six fractional digits). */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaderElector {
  private observed: { record: string; atMs: number } | undefined;
  private leading = false;
  private stopped = false;
  private lastRenewMs = 0;
  private lastContactMs = 0;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** When the API server last answered this replica's Lease request (0: never). */
  get lastApiContactMs(): number {
    return this.lastContactMs;
  }

  start(): void {
    this.running = this.loop();
  }

  /** Stop competing; a leader releases the Lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    if (this.leading) await this.release();
    this.leading = false;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases/${this.options.name}`;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let held = false;
      try {
        held = await this.tryAcquireOrRenew();
        this.lastContactMs = Date.now();
      } catch (error) {
        this.options.log.warn({ err: error }, "leader election: could not read or write the Lease");
      }
      if (held) this.lastRenewMs = Date.now();
      if (held && !this.leading) {
        this.leading = true;
        this.options.log.info({ lease: this.options.name }, "became leader");
        // Not awaited: starting the controllers must not delay the next renewal.
        Promise.resolve(this.options.onStartedLeading()).catch((error) => {
          this.options.log.error({ err: error }, "could not start acting as leader");
          this.options.onStoppedLeading();
        });
      } else if (this.leading && Date.now() - this.lastRenewMs > this.options.renewDeadlineMs) {
        this.leading = false;
        this.options.log.error("lost the leader Lease (renew deadline passed)");
        this.options.onStoppedLeading();
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.options.retryPeriodMs);
      });
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, identity } = this.options;
    const now = new Date();
    let lease: Lease;
    try {
      lease = await api.get<Lease>(this.path);
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      return this.create(now);
    }
    const holder = lease.spec.holderIdentity ?? "";
    const record = JSON.stringify([holder, lease.spec.renewTime, lease.spec.acquireTime]);
    if (this.observed?.record !== record) this.observed = { record, atMs: Date.now() };
    const durationMs = (lease.spec.leaseDurationSeconds ?? 15) * 1000;
    const expired = Date.now() - this.observed.atMs > durationMs;
    if (holder !== "" && holder !== identity && !expired) return false;
    const takeover = holder !== identity;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      acquireTime: takeover ? microTime(now) : lease.spec.acquireTime,
      renewTime: microTime(now),
      leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takeover ? 1 : 0),
    };
    try {
      // The resourceVersion in the body makes this a compare-and-swap.
      await api.replace(this.path, lease);
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  private async create(now: Date): Promise<boolean> {
    const lease: Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    };
    try {
      await this.options.api.create(
        `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`,
        lease,
      );
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.options.api.get<Lease>(this.path);
      if (lease.spec.holderIdentity !== this.options.identity) return;
      lease.spec = {
        ...lease.spec,
        holderIdentity: null,
        leaseDurationSeconds: 1,
        renewTime: microTime(new Date()),
      };
      await this.options.api.replace(this.path, lease);
      this.options.log.info("released the leader Lease");
    } catch (error) {
      this.options.log.warn({ err: error }, "could not release the leader Lease");
    }
  }
}
