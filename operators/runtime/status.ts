/**
 * @module Committing a reconciler's status: nothing is written when nothing changed (so a
 * reconcile triggered by the operator's own write settles), and each phase transition is
 * recorded as an Event named after the new phase.
 */
import type { ControlClient } from "./control-client";
import type { EventRecorder } from "./events";
import type { ControlObject, ControlStatus } from "./resource";

export async function commitStatus(
  client: ControlClient,
  events: EventRecorder,
  object: ControlObject,
  next: ControlStatus,
  options: { ifUnchanged?: boolean } = {},
): Promise<ControlObject> {
  if (canonical(object.status ?? {}) === canonical(next)) return object;
  const stored = await client.writeStatus(object, dropUndefined(next), options);
  const phase = next.phase;
  if (phase !== undefined && phase !== object.status?.phase) {
    events.record(stored, phase === "Failed" ? "Warning" : "Normal", phase, next.message ?? phase);
  }
  return stored;
}

/** JSON with sorted keys and without undefined, for comparison. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  });
}

function dropUndefined(status: ControlStatus): ControlStatus {
  return JSON.parse(JSON.stringify(status)) as ControlStatus;
}
