/**
 * @module The status a one-shot kind (LockFlush, CancelAll, SettlementReplay, WebhookReplay)
 * writes: its phase, target,
 * message and Ready condition, and the final write with `completedAt` that makes the run
 * never happen again.
 */
import type { z } from "zod";
import { AdminApiError } from "../admin-client";
import { setConditions } from "../runtime/conditions";
import type { ControlObject, ControlStatus } from "../runtime/resource";
import { commitStatus } from "../runtime/status";
import { approvalCondition, awaitingApproval } from "./approval";
import type { ReconcilerContext } from "./context";

export interface OneShotStatus {
  /**
   * Marks a resumable run started (phase Pending, `startedAt`) unless it is already: only one
   * writer can move this exact resourceVersion forward. Resolves with the object to finish.
   */
  claim(object: ControlObject, reason: string, message: string): Promise<ControlObject>;
  /** The next status: previous fields, `fields`, and the Ready condition. */
  status(
    object: ControlObject,
    fields: ControlStatus,
    ready: boolean,
    reason: string,
    message: string,
  ): ControlStatus;
  /** Writes the final phase with `completedAt`; the run is over. */
  finish(
    object: ControlObject,
    phase: "Completed" | "Failed",
    reason: string,
    message: string,
    fields?: ControlStatus,
  ): Promise<Record<string, never>>;
}

/**
 * Status writes of a one-shot kind whose target is `spec[target]`, or what `target` makes of
 * the spec.
 */
export function oneShotStatus(
  deps: ReconcilerContext,
  target: string | ((spec: ControlObject["spec"]) => string),
): OneShotStatus {
  const targetOf = (spec: ControlObject["spec"]) =>
    typeof target === "string" ? String(spec[target]) : target(spec);
  function status(
    object: ControlObject,
    fields: ControlStatus,
    ready: boolean,
    reason: string,
    message: string,
  ) {
    const previous = object.status ?? {};
    return {
      ...previous,
      ...fields,
      observedGeneration: object.metadata.generation,
      target: targetOf(object.spec),
      message,
      conditions: setConditions(
        previous.conditions,
        [{ type: "Ready", status: ready, reason, message }, approvalCondition(object)],
        object.metadata.generation,
        deps.now(),
      ),
    } satisfies ControlStatus;
  }

  return {
    status,
    async claim(object, reason, message) {
      if (object.status?.startedAt) return object;
      const started: ControlStatus = { phase: "Pending", startedAt: deps.now().toISOString() };
      return commitStatus(
        deps.client,
        deps.events,
        object,
        status(object, started, false, reason, message),
        { ifUnchanged: true },
      );
    },
    async finish(object, phase, reason, message, fields = {}) {
      const completedAt = deps.now().toISOString();
      await commitStatus(
        deps.client,
        deps.events,
        object,
        status(object, { ...fields, phase, completedAt }, phase === "Completed", reason, message),
      );
      return {};
    },
  };
}

/** Worth asking the service again: it did not answer, or answered 5xx (a dependency away). */
export function transientAdminError(error: unknown): boolean {
  return !(error instanceof AdminApiError) || error.status === 0 || error.status >= 500;
}

/**
 * The spec of a one-shot that may run now, or undefined when this reconcile is over: the run
 * is on record, the spec is one the schema refuses (Failed), or it awaits approval (Pending).
 */
export async function runnableSpec<Spec>(
  deps: ReconcilerContext,
  writes: OneShotStatus,
  object: ControlObject,
  schema: z.ZodType<Spec>,
): Promise<Spec | undefined> {
  if (object.status?.completedAt) return undefined; // The record says it ran; never again.
  const read = schema.safeParse(object.spec);
  // The API server admitted it, so only a schema newer than the CRD gets here: refuse it.
  if (!read.success) {
    const issue = read.error.issues[0];
    const message = `spec.${issue?.path.join(".")}: ${issue?.message}`;
    await writes.finish(object, "Failed", "InvalidSpec", message);
    return undefined;
  }
  if (awaitingApproval(object)) {
    const { message } = approvalCondition(object);
    const pending = writes.status(object, { phase: "Pending" }, false, "AwaitingApproval", message);
    await commitStatus(deps.client, deps.events, object, pending);
    return undefined;
  }
  return read.data;
}
