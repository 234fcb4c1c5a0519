/**
 * @module Where a control stands, read from its status conditions alone (what `kubectl get`
 * shows), so the operator's gauges and alerts judge every kind the same way: in force, held
 * for approval, due but not enforced yet, a one-shot run broken off, or done.
 */
import type { Condition, ControlObject } from "./resource";

export type Standing =
  /** Enforced by every live replica. */
  | { readonly state: "enforced" }
  /** Held until a person approves it; `sinceMs` is when the hold began. */
  | { readonly state: "awaitingApproval"; readonly sinceMs: number }
  /** Should be in force and is not (never reconciled, replicas missing, a service down). */
  | { readonly state: "notEnforced"; readonly sinceMs: number }
  /** A one-shot run that started and did not finish (a LockFlush Interrupted/FlushBrokenOff). */
  | { readonly state: "interrupted" }
  /** Nothing to enforce: lifted, expired, a dry run, a finished one-shot, being deleted. */
  | { readonly state: "inactive" };

/** Enforced=False reasons that mean "nothing is due", not "not enforced yet". */
const inactiveReasons = new Set(["DryRun", "Lifted", "Expired"]);
/** Ready=False reasons of a one-shot run that was broken off and is never resumed. */
export const interruptedReasons = new Set(["Interrupted", "FlushBrokenOff"]);

function condition(object: ControlObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((candidate) => candidate.type === type);
}

function timeMs(value: string | undefined): number {
  const parsed = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** Where `object` stands now. */
export function standingOf(object: ControlObject): Standing {
  if (object.metadata.deletionTimestamp) return { state: "inactive" };
  const createdMs = timeMs(object.metadata.creationTimestamp);
  if (object.status === undefined || object.status.observedGeneration === undefined)
    return { state: "notEnforced", sinceMs: createdMs };
  const approved = condition(object, "Approved");
  if (approved?.status === "False")
    return {
      state: "awaitingApproval",
      sinceMs: Math.max(createdMs, timeMs(approved.lastTransitionTime)),
    };
  const ready = condition(object, "Ready");
  if (ready?.status === "False" && interruptedReasons.has(ready.reason))
    return { state: "interrupted" };
  const enforced = condition(object, "Enforced");
  // One-shot kinds have no Enforced condition: they run, they are not held in force.
  if (enforced === undefined) return { state: "inactive" };
  if (enforced.status === "True") return { state: "enforced" };
  if (inactiveReasons.has(enforced.reason)) return { state: "inactive" };
  const sinceMs = Math.max(
    createdMs,
    timeMs(enforced.lastTransitionTime),
    timeMs(approved?.lastTransitionTime),
  );
  return { state: "notEnforced", sinceMs };
}
