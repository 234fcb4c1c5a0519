/** @module Which control is in force where several of one kind touch the same target. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Contender, inForceOf, targetCovers } from "./in-force";
import { symbolMode, symbolModes, withdrawalHalt } from "./index";

type Mode = (typeof symbolModes)[number];

function mode(name: string, symbol: string, value: Mode, createdAt: string): Contender {
  const spec = symbolMode.spec.parse({ symbol, mode: value });
  return {
    key: `markets/${name}`,
    rank: symbolMode.rank(spec),
    createdAt,
    targets: symbolMode.targets(spec),
  };
}

function halt(name: string, scope: Record<string, string[]>, createdAt: string): Contender {
  const spec = withdrawalHalt.spec.parse({ scope });
  return {
    key: `payments/${name}`,
    rank: withdrawalHalt.rank(spec),
    createdAt,
    targets: withdrawalHalt.targets(spec),
  };
}

const early = "2026-11-22T10:00:00Z";
const later = "2026-11-22T11:00:00Z";

test("symbol modes rank HARD_HALT > SOFT_HALT > CANCEL_ONLY > NORMAL", () => {
  const ranks = symbolModes.map((value) => symbolMode.rank({ symbol: "BTC-USD", mode: value }));
  assert.equal(ranks, [0, 1, 2, 3]);
});

test("of two SymbolModes on one symbol the more restrictive is in force, whatever their age", () => {
  const hard = mode("hard", "BTC-USD", "HARD_HALT", early);
  const cancelOnly = mode("cancel-only", "BTC-USD", "CANCEL_ONLY", later);
  const hardReport = inForceOf(hard, [hard, cancelOnly]);
  const cancelReport = inForceOf(cancelOnly, [hard, cancelOnly]);
  assert.ok(hardReport.inForce);
  assert.equal(hardReport.supersededBy, []);
  assert.not.ok(cancelReport.inForce);
  assert.equal(cancelReport.supersededBy, ["markets/hard"]);
  assert.equal(cancelReport.overlaps, [
    {
      target: "symbol BTC-USD",
      inForce: "markets/hard",
      controls: ["markets/hard", "markets/cancel-only"],
    },
  ]);
  assert.equal(hardReport.overlaps, cancelReport.overlaps);
});

test("every ranking of modes holds pairwise, and another symbol is no rival", () => {
  for (const [lower, weaker] of symbolModes.entries()) {
    for (const stronger of symbolModes.slice(lower + 1)) {
      const a = mode("a", "ETH-EUR", weaker, later);
      const b = mode("b", "ETH-EUR", stronger, early);
      assert.not.ok(inForceOf(a, [a, b]).inForce, `${weaker} under ${stronger}`);
      assert.ok(inForceOf(b, [a, b]).inForce, `${stronger} over ${weaker}`);
    }
  }
  const other = mode("other", "SOL-USD", "NORMAL", later);
  const hard = mode("hard", "BTC-USD", "HARD_HALT", early);
  assert.equal(inForceOf(other, [other, hard]), { inForce: true, supersededBy: [], overlaps: [] });
});

test("equal modes both enforce; the newest is named in force, as a service's refusal names it", () => {
  const first = mode("first", "BTC-USD", "SOFT_HALT", early);
  const second = mode("second", "BTC-USD", "SOFT_HALT", later);
  const report = inForceOf(first, [first, second]);
  assert.ok(report.inForce);
  assert.equal(report.supersededBy, []);
  assert.is(report.overlaps[0]?.inForce, "markets/second");
  assert.ok(inForceOf(second, [first, second]).inForce);
});

test("a halt on every currency and a newer one on BTC: both in force, BTC decided by the newer", () => {
  const all = halt("halt-all", {}, early);
  const btc = halt("halt-btc", { services: ["payments"], currencies: ["BTC"] }, later);
  const allReport = inForceOf(all, [all, btc]);
  assert.ok(allReport.inForce, "it still decides every other currency");
  assert.equal(allReport.supersededBy, [], "an equally restrictive halt supersedes nothing");
  assert.equal(allReport.overlaps, [
    {
      target: "currency BTC, service payments",
      inForce: "payments/halt-btc",
      controls: ["payments/halt-btc", "payments/halt-all"],
    },
  ]);
  assert.ok(inForceOf(btc, [all, btc]).inForce);
});

test("a BTC halt under a newer halt on everything still enforces; the newer is named for BTC", () => {
  const btc = halt("halt-btc", { currencies: ["BTC"] }, early);
  const all = halt("halt-all", {}, later);
  const report = inForceOf(btc, [all, btc]);
  assert.ok(report.inForce);
  assert.equal(report.overlaps, [
    {
      target: "currency BTC, every service",
      inForce: "payments/halt-all",
      controls: ["payments/halt-all", "payments/halt-btc"],
    },
  ]);
});

test("thousands of halts on one currency are one bucket: each names the few most decisive", () => {
  const many = Array.from({ length: 5000 }, (_, index) =>
    halt(
      `h${index}`,
      { currencies: ["BTC"] },
      new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    ),
  );
  const report = inForceOf(many[0]!, many);
  assert.ok(report.inForce);
  assert.is(report.overlaps.length, 1);
  assert.is(report.overlaps[0]?.inForce, "payments/h4999");
  assert.is(report.overlaps[0]?.controls.length, 8);
});

test("halts on different currencies do not overlap; a halt covers payouts case-insensitively", () => {
  const btc = halt("halt-btc", { currencies: ["BTC"] }, early);
  const eth = halt("halt-eth", { currencies: ["ETH", "USD"] }, later);
  assert.equal(inForceOf(btc, [btc, eth]).overlaps, []);
  const [target] = withdrawalHalt.targets({ scope: { currencies: ["BTC"] } });
  assert.ok(targetCovers(target!, { service: "payments", currency: "btc" }));
  assert.not.ok(targetCovers(target!, { service: "payments", currency: "ETH" }));
});

test.run();
