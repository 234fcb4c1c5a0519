/**
 * @module A purchase from start to end. The usable providers are known before any money
 * moves (none usable: 503, nothing reserved); the funds are reserved with the purchase row;
 * then, holding `lock:purchase:<id>` (the kit's lock: TTL, owner token, safe release), the
 * router sends it to a provider and the purchase is captured, released, or left pending for
 * reconciliation after a timeout. The same lock guards reconciliation and cancellation, so a
 * purchase is never finished by two hands; a holder that crashed leaves the lock until its TTL
 * or a LockFlush.
 */
import type { Pool } from "../kit/db";
import type { Locks } from "../kit/locks";
import type { Logger } from "../kit/logger";
import { problem } from "../kit/problem";
import { purchasingProblems } from "./problems";
import {
  finishPurchase,
  type Purchase,
  type PurchaseAttempt,
  type PurchaseInput,
  recordAttempt,
  startPurchase,
} from "./purchases";
import { candidates, type RouteResult, type RouterDeps, routePurchase } from "./router";

export interface PurchaseFlowDeps extends RouterDeps {
  readonly pool: Pool;
  readonly locks: Locks;
  readonly logger: Logger;
  readonly lockTtlMs: number;
  readonly deadlineMs: number;
}

/** The lock domain: keys are `lock:purchase:<purchase id>`, what LockFlush's allow-list names. */
export const purchaseLockDomain = "purchase";

/** Start, route and finish one purchase; answers it as it ended (or pending). */
export async function makePurchase(
  deps: PurchaseFlowDeps,
  input: Omit<PurchaseInput, "deadlineMs">,
): Promise<Purchase> {
  const targets = candidates(deps);
  if (targets.length === 0) {
    throw problem({
      type: purchasingProblems.noProvider,
      title: "No provider is available",
      status: 503,
      detail: "every provider is inactive or disabled; nothing was reserved",
      headers: { "retry-after": "5" },
    });
  }
  const { purchase, created } = await startPurchase(deps.pool, {
    ...input,
    deadlineMs: deps.deadlineMs,
  });
  // A repeat of a purchase that is still pending answers it as it is: whoever holds its lock
  // (or reconciliation) finishes it.
  if (!created) return purchase;
  const held = await deps.locks.withLock(
    purchaseLockDomain,
    purchase.id,
    deps.lockTtlMs,
    async () => {
      const attempts: PurchaseAttempt[] = [];
      const result = await routePurchase(purchase, targets, deps, attempts, (provider) =>
        recordAttempt(deps.pool, purchase.id, provider, attempts),
      );
      return settle(deps, purchase, result, attempts);
    },
  );
  return held.acquired ? held.value : purchase;
}

async function settle(
  deps: PurchaseFlowDeps,
  purchase: Purchase,
  result: RouteResult,
  attempts: PurchaseAttempt[],
): Promise<Purchase> {
  if (result.status === "pending") {
    await recordAttempt(deps.pool, purchase.id, result.provider, attempts);
    deps.metrics.purchases.inc({ provider: result.provider, result: "pending" });
    return { ...purchase, provider: result.provider, attempts };
  }
  const finished = await finishPurchase(deps.pool, purchase.id, result, attempts);
  const provider = result.status === "completed" ? result.provider : "none";
  deps.metrics.purchases.inc({ provider, result: result.status });
  if (result.status === "failed") {
    deps.logger.warn({ purchase: purchase.id, attempts }, `purchase failed: ${result.reason}`);
  }
  return finished;
}
