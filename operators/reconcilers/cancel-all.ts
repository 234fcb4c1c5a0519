/**
 * @module The CancelAll reconciler: a one-shot that asks every service enforcing CancelAll
 * (the exchange) to cancel every open order on the symbol, and records how many it cancelled.
 *
 * Unlike a LockFlush, an interrupted run is resumed: the exchange keys each run by the
 * object's uid and answers a repeat with the first run's result, so asking again never
 * cancels orders placed since. The status is the record: once `completedAt` is written it
 * never runs again. An unavailable exchange (no sequencer for the symbol on the replica
 * reached, 503, or no answer) is retried with backoff; a refusal (unknown symbol, the symbol
 * in HARD_HALT) ends the run Failed with the exchange's reason.
 */
import type { AdminClient } from "../admin-client";
import { cancelAll } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import type { ControlObject } from "../runtime/resource";
import type { ReconcilerContext } from "./context";
import { oneShotStatus, runnableSpec, worthRetrying } from "./one-shot-status";

export interface CancelAllDependencies extends ReconcilerContext {
  readonly services: () => ReadonlyMap<string, AdminClient>;
}

export function cancelAllReconciler(deps: CancelAllDependencies): Reconciler {
  const writes = oneShotStatus(deps, "symbol");
  const { finish } = writes;

  async function run(object: ControlObject, symbol: string, services: AdminClient[]) {
    const current = await writes.claim(
      object,
      "Cancelling",
      `cancelling every open order on ${symbol}`,
    );
    const request = {
      reference: object.metadata.uid,
      actor: String(object.spec.requestedBy),
      reason: String(object.spec.reason),
      ticket: String(object.spec.ticket),
    };
    try {
      const results = await Promise.all(
        services.map((service) => service.cancelAll(symbol, request)),
      );
      const cancelled = results.reduce((sum, result) => sum + result.ordersCancelled, 0);
      const message = `cancelled ${cancelled} open orders on ${symbol} and released their holds`;
      deps.log.info({ symbol, cancelled, name: object.metadata.name }, message);
      return finish(current, "Completed", "Cancelled", message, {
        ordersCancelled: cancelled,
        engineSeq: results[0]?.seq,
      });
    } catch (error) {
      if (worthRetrying(error)) throw error;
      return finish(current, "Failed", "Refused", `not cancelled: ${(error as Error).message}`);
    }
  }

  return {
    kind: "CancelAll",
    async reconcile(object) {
      const spec = await runnableSpec(deps, writes, object, cancelAll.fullSpec);
      if (spec === undefined) return {};
      const services = [...deps.services().values()];
      if (services.length === 0)
        return finish(
          object,
          "Failed",
          "NoTargets",
          "no service enforces CancelAll; add one to the operator's targets file",
        );
      if (spec.dryRun) {
        const names = services.map((service) => service.service).join(", ");
        return finish(
          object,
          "Completed",
          "DryRun",
          `dry run: would cancel every open order on ${spec.symbol} on ${names}`,
        );
      }
      return run(object, spec.symbol, services);
    },
  };
}
