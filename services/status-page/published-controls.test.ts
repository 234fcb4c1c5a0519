/** @module What the status page publishes for a control, and the feed built from incidents. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Incident } from "./incident-store";
import { type ControlResource, publishedControl } from "./published-controls";
import { summaryFeed } from "./status-summary";

const items = { payouts: ["BTC", "ETH"], purchases: ["a", "b"], trading: ["BTC-USD", "ETH-USD"] };

function control(kind: string, spec: Record<string, unknown>, phase = "Applied"): ControlResource {
  return {
    kind,
    metadata: { uid: `${kind}-uid`, name: "x", namespace: "payments" },
    spec: { reason: "a reason for it", ticket: "INC-1", requestedBy: "alice", ...spec },
    status: { phase },
  };
}

test("a halt of BTC payouts affects only payouts in BTC, with the kind's default message", () => {
  const published = publishedControl(
    control("WithdrawalHalt", { scope: { services: ["payments"], currencies: ["BTC"] } }),
    items,
  );
  assert.equal(published?.components, [
    { id: "payouts:btc", name: "Payouts in BTC", status: "major_outage" },
  ]);
  assert.is(
    published?.message,
    "Withdrawals in BTC are paused while we check them. Your funds are safe.",
  );
  assert.is(published?.title, "Payouts in BTC: unavailable");
});

test("a halt without scope affects every currency; spec.publicMessage replaces the default", () => {
  const published = publishedControl(
    control("WithdrawalHalt", {
      publicMessage: "Withdrawals are paused for maintenance until 14:00 UTC.",
    }),
    items,
  );
  assert.equal(
    published?.components.map((component) => component.id),
    ["payouts:btc", "payouts:eth"],
  );
  assert.is(published?.message, "Withdrawals are paused for maintenance until 14:00 UTC.");
});

test("a halt of another service's payouts, a dry run, a pending control and a one-shot action publish nothing", () => {
  assert.is(
    publishedControl(control("WithdrawalHalt", { scope: { services: ["escrow"] } }), items),
    undefined,
  );
  assert.is(publishedControl(control("WithdrawalHalt", { dryRun: true }), items), undefined);
  assert.is(publishedControl(control("WithdrawalHalt", {}, "Pending"), items), undefined);
  assert.is(
    publishedControl(control("LockFlush", { pattern: "lock:purchase:*" }, "Completed"), items),
    undefined,
  );
});

test("a provider disable affects purchases from that provider only", () => {
  const published = publishedControl(control("ProviderDisable", { provider: "a" }), items);
  assert.equal(published?.components, [
    { id: "purchases:a", name: "Purchases from provider a", status: "partial_outage" },
  ]);
});

test("the summary feed: the affected component, its group and the page indicator follow the open incident", () => {
  const since = new Date("2026-11-29T10:00:00Z");
  const published = publishedControl(
    control("WithdrawalHalt", { scope: { currencies: ["BTC"] } }),
    items,
  )!;
  const open: Incident = {
    id: published.uid,
    kind: published.kind,
    title: published.title,
    message: published.message,
    impact: published.impact,
    components: published.components,
    startedAt: new Date("2026-11-29T10:05:00Z"),
    updatedAt: new Date("2026-11-29T10:05:00Z"),
    resolvedAt: null,
  };
  const during = summaryFeed(
    { title: "t", url: "http://x/" },
    items,
    { open: [open], resolved: [] },
    since,
  );
  const status = (id: string) => during.components.find((component) => component.id === id);
  assert.is(status("payouts:btc")?.status, "major_outage");
  assert.is(status("payouts:btc")?.updated_at, "2026-11-29T10:05:00.000Z");
  assert.is(status("payouts")?.status, "major_outage");
  assert.is(status("payouts:eth")?.status, "operational");
  assert.is(status("purchases")?.status, "operational");
  assert.equal(during.status, { indicator: "major", description: "Partial System Outage" });
  assert.is(during.incidents[0]?.incident_updates[0]?.body, published.message);
  const resolved = { ...open, resolvedAt: new Date("2026-11-29T10:20:00Z") };
  const after = summaryFeed(
    { title: "t", url: "http://x/" },
    items,
    { open: [], resolved: [resolved] },
    since,
  );
  assert.is(after.status.indicator, "none");
  assert.is(after.incidents.length, 0);
  assert.is(
    after.components.find((component) => component.id === "payouts:btc")?.updated_at,
    "2026-11-29T10:20:00.000Z",
  );
});

test("trading per symbol: CANCEL_ONLY is a partial outage, a global halt takes every market, NORMAL nothing", () => {
  const cancelOnly = publishedControl(
    control("SymbolMode", { symbol: "BTC-USD", mode: "CANCEL_ONLY" }),
    items,
  );
  assert.equal(cancelOnly?.components, [
    { id: "trading:btc-usd", name: "Trading BTC-USD", status: "partial_outage" },
  ]);
  assert.is(
    cancelOnly?.message,
    "Trading in BTC-USD is limited (cancels only) while we investigate.",
  );
  const globalHalt = publishedControl(
    control("SymbolMode", { scope: "Global", mode: "SOFT_HALT" }),
    items,
  );
  assert.equal(
    globalHalt?.components.map((component) => [component.id, component.status]),
    [
      ["trading:btc-usd", "major_outage"],
      ["trading:eth-usd", "major_outage"],
    ],
  );
  assert.is(
    globalHalt?.message,
    "Trading in every market is limited (halted) while we investigate.",
  );
  assert.is(
    publishedControl(control("SymbolMode", { symbol: "BTC-USD", mode: "NORMAL" }), items),
    undefined,
  );
});

test("an order throttle shows its symbol as degraded", () => {
  const throttled = publishedControl(
    control("OrderThrottle", { symbol: "ETH-USD", rate: 50, per: "Second" }),
    items,
  );
  assert.equal(throttled?.components, [
    { id: "trading:eth-usd", name: "Trading ETH-USD", status: "degraded_performance" },
  ]);
  assert.match(throttled?.message ?? "", /^New orders in ETH-USD are accepted at a reduced rate/);
});

test("a session revocation on escrow degrades escrow releases and tells customers to sign in again; an EscrowResolution publishes nothing", () => {
  const withEscrow = { ...items, escrow: ["USD"] };
  const revocation = (services: string[]) =>
    control("SessionRevocation", { services, issuedBefore: "2026-11-29T14:05:00Z" });
  const published = publishedControl(revocation(["escrow", "payments"]), withEscrow);
  assert.equal(published?.components, [
    { id: "escrow:usd", name: "Escrow releases in USD", status: "degraded_performance" },
  ]);
  assert.match(published?.message ?? "", "Please sign in again");
  assert.is(publishedControl(revocation(["payments"]), withEscrow), undefined);
  const resolution = control(
    "EscrowResolution",
    { transactionId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f", decision: "release" },
    "Completed",
  );
  assert.is(publishedControl(resolution, withEscrow), undefined);
});

test.run();
