/**
 * @module Routing a purchase: the usable providers (active in the table, not disabled by a
 * ProviderDisable) in priority order, each called through its breaker; the first that
 * completes the order wins, a decline or a fault fails over to the next, an open breaker is
 * skipped without a call. A timeout stops routing: the order may exist at that provider, so
 * the purchase stays pending until reconciliation asks it.
 */
import type { Controls } from "../kit/controls";
import { BrokenCircuitError, type ProviderBreakers } from "./provider-breakers";
import {
  type OrderAnswer,
  ProviderFault,
  type ProviderTarget,
  ProviderTimeout,
  placeOrder,
} from "./provider-client";
import { disabledProviders } from "./provider-disable";
import { type ProviderDirectory, targetOf } from "./providers";
import type { Purchase, PurchaseAttempt } from "./purchases";
import type { ProviderOutcome, PurchasingMetrics } from "./purchasing-metrics";

export interface RouterDeps {
  readonly directory: ProviderDirectory;
  readonly breakers: ProviderBreakers;
  readonly controls: Controls;
  readonly metrics: PurchasingMetrics;
  readonly timeoutMs: number;
}

export type RouteResult =
  | { readonly status: "completed"; readonly provider: string; readonly orderId: string }
  | { readonly status: "pending"; readonly provider: string }
  | { readonly status: "failed"; readonly reason: string };

/** The providers a purchase may go to now, best first (throws 503 when controls are unknown). */
export function candidates(deps: RouterDeps): ProviderTarget[] {
  const disabled = disabledProviders(deps.controls);
  return deps.directory
    .list()
    .filter((provider) => provider.isActive && !disabled.has(provider.name.toLowerCase()))
    .map((provider) => targetOf(provider, deps.timeoutMs));
}

/**
 * Send `purchase` to `targets` in order. `beforeCall` runs inside the breaker right before a
 * provider is called (it records whom the purchase is waiting on); `attempts` collects what
 * each provider did.
 */
export async function routePurchase(
  purchase: Purchase,
  targets: readonly ProviderTarget[],
  deps: RouterDeps,
  attempts: PurchaseAttempt[],
  beforeCall: (provider: string) => Promise<void>,
): Promise<RouteResult> {
  const order = {
    reference: purchase.id,
    item: purchase.item,
    amount: purchase.amount,
    currency: purchase.currency,
  };
  for (const target of targets) {
    const note = (outcome: ProviderOutcome, detail?: string) => {
      deps.metrics.providerRequests.inc({ provider: target.name, outcome });
      attempts.push({ provider: target.name, outcome, detail, at: new Date().toISOString() });
    };
    let answer: OrderAnswer;
    const stopTimer = deps.metrics.providerRequestDuration.startTimer({ provider: target.name });
    try {
      answer = await deps.breakers.execute(target.name, async () => {
        await beforeCall(target.name);
        return placeOrder(target, order);
      });
      stopTimer();
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        note("rejected", "circuit open");
        continue;
      }
      stopTimer();
      if (error instanceof ProviderTimeout) {
        note("timeout", error.message);
        return { status: "pending", provider: target.name };
      }
      if (error instanceof ProviderFault) {
        note("failed", error.message);
        continue;
      }
      throw error;
    }
    if (answer.status === "completed") {
      note("completed");
      return { status: "completed", provider: target.name, orderId: answer.orderId };
    }
    note("declined", answer.status === "declined" ? answer.detail : "order not found");
  }
  return { status: "failed", reason: failureReason(targets, attempts) };
}

function failureReason(targets: readonly ProviderTarget[], attempts: PurchaseAttempt[]): string {
  if (targets.length === 0) return "no provider is available (inactive or disabled)";
  const declined = attempts.filter((attempt) => attempt.outcome === "declined").length;
  if (declined === attempts.length) return "every provider declined the order";
  return "no provider could take the order (failing, or its circuit open)";
}
