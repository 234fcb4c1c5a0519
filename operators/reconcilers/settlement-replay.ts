/**
 * @module The SettlementReplay reconciler: a one-shot that asks the service enforcing
 * SettlementReplay (the exchange) to settle its trades again from an offset, and records what
 * the replay read, found settled and posted.
 *
 * Like a CancelAll, an interrupted run is resumed: the exchange keys each run by the object's
 * uid and answers a repeat with the first run's result, and a replay itself changes nothing
 * already settled, so asking again is always safe. Once `completedAt` is written it never runs
 * again. An unavailable exchange (Kafka or the database away: 503, or no answer) is retried
 * with backoff; a refusal ends the run Failed with the exchange's reason.
 */
import type { AdminClient, SettlementReplayRequest } from "../admin-client";
import { settlementReplay } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import type { ControlObject } from "../runtime/resource";
import type { ReconcilerContext } from "./context";
import { oneShotStatus, runnableSpec, transientAdminError } from "./one-shot-status";

export interface SettlementReplayDependencies extends ReconcilerContext {
  readonly services: () => ReadonlyMap<string, AdminClient>;
}

type Spec = { readonly fromOffset: number; readonly partition?: number; readonly symbol?: string };

/** "BTC-USD trades from offset 0 of partition 1", for the Target column and messages. */
export function replayTarget(spec: Partial<Spec>): string {
  const trades = spec.symbol === undefined ? "trades" : `${spec.symbol} trades`;
  const partition = spec.partition === undefined ? "" : ` of partition ${spec.partition}`;
  return `${trades} from offset ${spec.fromOffset}${partition}`;
}

export function settlementReplayReconciler(deps: SettlementReplayDependencies): Reconciler {
  const writes = oneShotStatus(deps, (spec) => replayTarget(spec as Partial<Spec>));
  const { finish } = writes;

  async function run(object: ControlObject, spec: Spec, service: AdminClient) {
    const target = replayTarget(spec);
    const current = await writes.claim(object, "Replaying", `replaying ${target}`);
    const request: SettlementReplayRequest = {
      reference: object.metadata.uid,
      fromOffset: spec.fromOffset,
      ...(spec.partition === undefined ? {} : { partition: spec.partition }),
      ...(spec.symbol === undefined ? {} : { symbol: spec.symbol }),
      actor: String(object.spec.requestedBy),
      reason: String(object.spec.reason),
      ticket: String(object.spec.ticket),
    };
    try {
      const result = await service.settlementReplay(request);
      const message =
        `replayed ${target}: read ${result.recordsRead}, ${result.alreadySettled} already ` +
        `settled, ${result.newlyPosted} newly posted, ${result.conflicts} conflicts`;
      deps.log.info({ name: object.metadata.name, ...result }, message);
      return finish(current, "Completed", "Replayed", message, {
        recordsRead: result.recordsRead,
        alreadySettled: result.alreadySettled,
        newlyPosted: result.newlyPosted,
        conflicts: result.conflicts,
        finishedAt: result.finishedAt,
      });
    } catch (error) {
      // Unanswered, or Kafka or the database away: ask again.
      if (transientAdminError(error)) throw error;
      return finish(current, "Failed", "Refused", `not replayed: ${(error as Error).message}`);
    }
  }

  return {
    kind: "SettlementReplay",
    async reconcile(object) {
      const spec = await runnableSpec(deps, writes, object, settlementReplay.fullSpec);
      if (spec === undefined) return {};
      // One ledger: replaying once settles everything, whichever replica runs it.
      const [service] = [...deps.services().values()];
      if (service === undefined)
        return finish(
          object,
          "Failed",
          "NoTargets",
          "no service enforces SettlementReplay; add one to the operator's targets file",
        );
      if (spec.dryRun)
        return finish(
          object,
          "Completed",
          "DryRun",
          `dry run: would replay ${replayTarget(spec)} on ${service.service}`,
        );
      return run(object, spec, service);
    },
  };
}
