/**
 * @module The WebhookReplay reconciler: a one-shot that asks payments to re-process one stored
 * PSP webhook event with its original payload (`POST /admin/v1/webhooks/events/{id}/replay`)
 * and records the outcome.
 *
 * Like a CancelAll, an interrupted run is resumed: payments keys each run by the object's uid
 * and answers a repeat with the first run's result, so asking again never processes the event
 * twice under one control. The status is the record: once `completedAt` is written it never
 * runs again. Payments unreachable or unavailable (no controls held, database down: 503) is
 * retried with backoff; an unknown event id ends the run Failed, and so does a replay whose
 * processing was refused (the refusal is the message).
 */
import type { AdminClient } from "../admin-client";
import { webhookReplay } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import type { ControlObject } from "../runtime/resource";
import type { ReconcilerContext } from "./context";
import { oneShotStatus, runnableSpec, transientAdminError } from "./one-shot-status";

export interface WebhookReplayDependencies extends ReconcilerContext {
  readonly services: () => ReadonlyMap<string, AdminClient>;
}

/** What payments answers for a replay run. */
interface ReplayAnswer {
  readonly outcome: "succeeded" | "failed";
  readonly error: string | null;
  readonly attempts: number;
  readonly eventStatus: string;
  readonly finishedAt: string;
  readonly repeated: boolean;
}

export function webhookReplayReconciler(deps: WebhookReplayDependencies): Reconciler {
  const writes = oneShotStatus(deps, "eventId");
  const { finish } = writes;

  async function run(object: ControlObject, eventId: string, payments: AdminClient) {
    const current = await writes.claim(object, "Replaying", `replaying webhook event ${eventId}`);
    try {
      const answer = await payments.request<ReplayAnswer>(
        "POST",
        `/webhooks/events/${encodeURIComponent(eventId)}/replay`,
        {
          reference: object.metadata.uid,
          actor: String(object.spec.requestedBy),
          reason: String(object.spec.reason),
          ticket: String(object.spec.ticket),
        },
      );
      const fields = {
        outcome: answer.outcome,
        attempts: answer.attempts,
        finishedAt: answer.finishedAt,
      };
      if (answer.outcome === "failed") {
        const message = `webhook event ${eventId} failed again: ${answer.error}`;
        return finish(current, "Failed", "ProcessingFailed", message, fields);
      }
      const message = `webhook event ${eventId} processed (${answer.eventStatus} after ${answer.attempts} attempts)`;
      deps.log.info({ eventId, name: object.metadata.name }, message);
      return finish(current, "Completed", "Replayed", message, fields);
    } catch (error) {
      if (transientAdminError(error)) throw error;
      return finish(current, "Failed", "Refused", `not replayed: ${(error as Error).message}`);
    }
  }

  return {
    kind: "WebhookReplay",
    async reconcile(object) {
      const spec = await runnableSpec(deps, writes, object, webhookReplay.fullSpec);
      if (spec === undefined) return {};
      const [payments] = deps.services().values();
      if (payments === undefined)
        return finish(
          object,
          "Failed",
          "NoTargets",
          "no service enforces WebhookReplay; add payments to the operator's targets file",
        );
      if (spec.dryRun) {
        const message = `dry run: would replay webhook event ${spec.eventId} on ${payments.service}`;
        return finish(object, "Completed", "DryRun", message);
      }
      return run(object, spec.eventId, payments);
    },
  };
}
