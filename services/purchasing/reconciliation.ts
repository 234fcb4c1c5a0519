/**
 * @module Stuck reservations: a purchase still pending past its deadline (a provider that
 * timed out, a replica that crashed mid-purchase) is resolved by asking the provider it was
 * sent to: an order that exists is captured, one that does not (or no provider was ever
 * asked) is released to the wallet. Each purchase is resolved under its
 * `lock:purchase:<id>`; one whose lock is held (a live purchase, or a crashed holder's lock
 * until it expires or a LockFlush clears it) is skipped and counted. The worker runs every
 * `RECONCILE_INTERVAL_MS`; `POST /api/cron/reconcile` runs it at once.
 */
import { fetchOrder, type OrderAnswer, ProviderFault } from "./provider-client";
import { targetOf } from "./providers";
import { type PurchaseFlowDeps, purchaseLockDomain } from "./purchase-flow";
import {
  countStuck,
  finishPurchase,
  getPurchase,
  type Purchase,
  type PurchaseAttempt,
  stuckPurchases,
} from "./purchases";

export type ResolveAction = "completed" | "released" | "locked" | "unresolved" | "finished";

/** What one reconciliation run did. */
export interface ReconcileReport {
  /** Pending purchases past their deadline when the run started. */
  readonly stuck: number;
  readonly examined: number;
  readonly completed: number;
  readonly released: number;
  /** Skipped: their `lock:purchase:<id>` is held. */
  readonly locked: number;
  /** The provider could not be asked (unreachable, or no longer configured). */
  readonly unresolved: number;
  /** Pending past their deadline after the run. */
  readonly stuckAfter: number;
}

/** One run over up to `limit` stuck purchases, oldest first. */
export async function reconcileStuck(
  deps: PurchaseFlowDeps,
  limit: number,
): Promise<ReconcileReport> {
  const stuck = await countStuck(deps.pool);
  const purchases = stuck === 0 ? [] : await stuckPurchases(deps.pool, limit);
  const counts = { completed: 0, released: 0, locked: 0, unresolved: 0 };
  for (const purchase of purchases) {
    const action = await resolvePending(deps, purchase.id, "failed");
    if (action === "finished") continue;
    counts[action] += 1;
    deps.metrics.reconciliations.inc({ action });
  }
  const stuckAfter = await countStuck(deps.pool);
  deps.metrics.reservationsStuck.set(stuckAfter);
  const report = { stuck, examined: purchases.length, ...counts, stuckAfter };
  if (purchases.length > 0) deps.logger.info(report, "reconciliation run");
  return report;
}

/**
 * Finish one pending purchase by asking its provider, under its lock: capture when the order
 * exists, otherwise end it as `end` (failed or cancelled) and release the funds. Answers what
 * it did (`finished`: it was no longer pending).
 */
export async function resolvePending(
  deps: PurchaseFlowDeps,
  id: string,
  end: "failed" | "cancelled",
): Promise<ResolveAction> {
  const held = await deps.locks.withLock(purchaseLockDomain, id, deps.lockTtlMs, async () => {
    const purchase = await getPurchase(deps.pool, id);
    if (purchase === undefined || purchase.status !== "pending") return "finished" as const;
    const answer = await askProvider(deps, purchase);
    if (answer === undefined) return "unresolved" as const;
    const attempt: PurchaseAttempt = {
      provider: purchase.provider ?? "none",
      outcome: `reconciled:${answer.status}`,
      at: new Date().toISOString(),
    };
    const attempts = [...purchase.attempts, attempt];
    if (answer.status === "completed" && purchase.provider) {
      await finishPurchase(
        deps.pool,
        id,
        { status: "completed", provider: purchase.provider, orderId: answer.orderId },
        attempts,
      );
      deps.metrics.purchases.inc({ provider: purchase.provider, result: "completed" });
      return "completed" as const;
    }
    const reason = purchase.provider
      ? `${purchase.provider} has no completed order for it (${answer.status})`
      : "it was never sent to a provider";
    await finishPurchase(deps.pool, id, { status: end, reason }, attempts);
    if (end === "failed") deps.metrics.purchases.inc({ provider: "none", result: "failed" });
    return "released" as const;
  });
  return held.acquired ? held.value : "locked";
}

type Asked = OrderAnswer | { readonly status: "never_sent" };

async function askProvider(deps: PurchaseFlowDeps, purchase: Purchase): Promise<Asked | undefined> {
  if (purchase.provider === null) return { status: "never_sent" };
  const provider = deps.directory.list().find((item) => item.name === purchase.provider);
  if (provider === undefined) return undefined;
  try {
    return await fetchOrder(targetOf(provider, deps.timeoutMs), purchase.id);
  } catch (error) {
    if (!(error instanceof ProviderFault)) throw error;
    deps.logger.warn(
      { purchase: purchase.id, err: error },
      "reconciliation could not ask the provider",
    );
    return undefined;
  }
}
