/**
 * @module The EscrowResolution reconciler: a one-shot that asks the escrow service to
 * release or refund one transaction (`PUT /admin/v1/escrow-resolutions/{id}`) and records
 * the outcome. The service owns the money rule: above its approval amount it answers 409
 * `resolutions/approval-required`, and the reconciler marks the control
 * `requires-approval`; it then waits, Pending, until a second person annotates
 * `approved-by` (the four-eyes admission policy refuses the requester), and sends the
 * approver along. A service that cannot be reached is retried with backoff; a refusal
 * (unknown transaction, a move the state machine refuses) fails the control. Repeating it
 * is harmless: the service answers a resolution that already happened with `changed: false`.
 */
import { AdminApiError, type AdminClient } from "../admin-client";
import { escrowResolution } from "../crds/index";
import { setConditions } from "../runtime/conditions";
import type { Reconciler } from "../runtime/controller";
import type { ControlObject, ControlStatus } from "../runtime/resource";
import { commitStatus } from "../runtime/status";
import { approvalCondition, approvedByAnnotation, awaitingApproval } from "./approval";
import type { ReconcilerContext } from "./context";

export interface EscrowResolutionDependencies extends ReconcilerContext {
  /** The services that run EscrowResolution (the targets file's escrow). */
  readonly services: () => ReadonlyMap<string, AdminClient>;
}

interface ResolutionAnswer {
  readonly transaction: { readonly state: string; readonly amount: string };
  readonly changed: boolean;
}

export function escrowResolutionReconciler(deps: EscrowResolutionDependencies): Reconciler {
  function status(object: ControlObject, fields: ControlStatus, reason: string, message: string) {
    const previous = object.status ?? {};
    const done = fields.phase === "Completed";
    return {
      ...previous,
      ...fields,
      observedGeneration: object.metadata.generation,
      target: String(object.spec.transactionId),
      message,
      conditions: setConditions(
        previous.conditions,
        [{ type: "Ready", status: done, reason, message }, approvalCondition(object)],
        object.metadata.generation,
        deps.now(),
      ),
    } satisfies ControlStatus;
  }

  async function record(
    object: ControlObject,
    phase: "Pending" | "Completed" | "Failed",
    reason: string,
    message: string,
    fields: ControlStatus = {},
  ) {
    const at = phase === "Pending" ? {} : { completedAt: deps.now().toISOString() };
    await commitStatus(
      deps.client,
      deps.events,
      object,
      status(object, { ...fields, ...at, phase }, reason, message),
    );
    return {};
  }

  async function send(object: ControlObject, client: AdminClient) {
    const spec = escrowResolution.fullSpec.parse(object.spec);
    const id = `escrowresolution.${object.metadata.namespace}.${object.metadata.name}`;
    const approvedBy = object.metadata.annotations?.[approvedByAnnotation];
    try {
      const answer = await client.request<ResolutionAnswer>("PUT", `/escrow-resolutions/${id}`, {
        spec: { transactionId: spec.transactionId, decision: spec.decision },
        reason: spec.reason,
        ticket: spec.ticket,
        requestedBy: spec.requestedBy,
        ...(approvedBy ? { approvedBy } : {}),
      });
      const { state, amount } = answer.transaction;
      const message = `${spec.transactionId} is ${state}${answer.changed ? "" : " (it already was)"}`;
      deps.log.info({ name: object.metadata.name, state, changed: answer.changed }, message);
      return record(object, "Completed", answer.changed ? "Resolved" : "AlreadyResolved", message, {
        transactionState: state,
        amount,
        changed: answer.changed,
      });
    } catch (error) {
      if (!(error instanceof AdminApiError) || error.status === 0 || error.status >= 500)
        throw error; // Not reached, or not now: retried with backoff.
      if (String(error.problem?.type ?? "").endsWith("/resolutions/approval-required")) {
        const marked = await deps.client.requireApproval(object);
        const { message } = approvalCondition(marked);
        return record(marked, "Pending", "AwaitingApproval", `${error.message}; ${message}`);
      }
      return record(object, "Failed", "Refused", error.message);
    }
  }

  return {
    kind: "EscrowResolution",
    async reconcile(object) {
      if (object.status?.completedAt) return {}; // The record says it ran; never again.
      const read = escrowResolution.fullSpec.safeParse(object.spec);
      if (!read.success) {
        const issue = read.error.issues[0];
        return record(
          object,
          "Failed",
          "InvalidSpec",
          `spec.${issue?.path.join(".")}: ${issue?.message}`,
        );
      }
      if (awaitingApproval(object)) {
        const { message } = approvalCondition(object);
        return record(object, "Pending", "AwaitingApproval", message);
      }
      const [client] = deps.services().values();
      if (client === undefined)
        return record(
          object,
          "Failed",
          "NoService",
          "no service runs EscrowResolution; add escrow to the operator's targets file",
        );
      if (read.data.dryRun) {
        const message = `dry run: would ${read.data.decision} ${read.data.transactionId}`;
        return record(object, "Completed", "DryRun", message);
      }
      return send(object, client);
    },
  };
}
