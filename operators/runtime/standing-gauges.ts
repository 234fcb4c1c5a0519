/**
 * @module Gauges computed at scrape time from the leader's caches (operators/runtime/
 * control-standing.ts says where each control stands): controls held for approval and the
 * oldest wait, controls due but not enforced and the oldest, and each LockFlush broken off.
 * Computed on scrape rather than kept up to date so they can never drift from the caches.
 */
import { Gauge, type Registry } from "prom-client";
import { standingOf } from "./control-standing";
import type { CachedControls } from "./metrics";

interface KindStanding {
  awaiting: number;
  oldestAwaitingMs: number;
  notEnforced: number;
  oldestNotEnforcedMs: number;
  interrupted: { namespace: string; name: string }[];
}

function summarize(cached: CachedControls, nowMs: number): KindStanding {
  const summary: KindStanding = {
    awaiting: 0,
    oldestAwaitingMs: 0,
    notEnforced: 0,
    oldestNotEnforcedMs: 0,
    interrupted: [],
  };
  for (const object of cached.objects()) {
    const standing = standingOf(object);
    if (standing.state === "awaitingApproval") {
      summary.awaiting += 1;
      summary.oldestAwaitingMs = Math.max(summary.oldestAwaitingMs, nowMs - standing.sinceMs);
    } else if (standing.state === "notEnforced") {
      summary.notEnforced += 1;
      summary.oldestNotEnforcedMs = Math.max(summary.oldestNotEnforcedMs, nowMs - standing.sinceMs);
    } else if (standing.state === "interrupted") {
      const { namespace, name } = object.metadata;
      summary.interrupted.push({ namespace, name });
    }
  }
  return summary;
}

/** Registers the gauges on `registry`; `source` gives the caches at each scrape. */
export function registerStandingGauges(
  registry: Registry,
  source: () => readonly CachedControls[],
): void {
  let summaries: [string, KindStanding][] = [];
  // One summary per scrape, shared by the gauges (the first gauge collected computes it).
  let computedAt = Number.NEGATIVE_INFINITY;
  function current(): [string, KindStanding][] {
    const nowMs = Date.now();
    if (nowMs - computedAt > 100) {
      summaries = source().map((cached) => [cached.kind, summarize(cached, nowMs)]);
      computedAt = nowMs;
    }
    return summaries;
  }
  const perKind = (
    name: string,
    help: string,
    value: (summary: KindStanding) => number,
  ): Gauge<"kind"> =>
    new Gauge({
      name,
      help,
      labelNames: ["kind"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [kind, summary] of current()) this.set({ kind }, value(summary));
      },
    });
  perKind(
    "breakwater_operator_controls_awaiting_approval",
    "Controls held until a person approves them, by kind.",
    (summary) => summary.awaiting,
  );
  perKind(
    "breakwater_operator_oldest_approval_wait_seconds",
    "How long the longest-waiting control has been held for approval (0: none), by kind.",
    (summary) => summary.oldestAwaitingMs / 1000,
  );
  perKind(
    "breakwater_operator_controls_not_enforced",
    "Controls that are due (approved, not a dry run, not expired) but not enforced by every live replica, by kind.",
    (summary) => summary.notEnforced,
  );
  perKind(
    "breakwater_operator_oldest_not_enforced_seconds",
    "How long the oldest due control has gone without being enforced (0: none), by kind.",
    (summary) => summary.oldestNotEnforcedMs / 1000,
  );
  new Gauge({
    name: "breakwater_operator_lock_flush_interrupted",
    help: "1 for each LockFlush whose run started and was broken off (Interrupted, FlushBrokenOff); it is never resumed.",
    labelNames: ["namespace", "name"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [, summary] of current())
        for (const labels of summary.interrupted) this.set(labels, 1);
    },
  });
}
