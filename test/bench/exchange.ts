/**
 * @module `npm run bench -- exchange [--cycles N]`: matching alone, in memory on one core
 * (target ≥ 100,000 orders/s); orders through the HTTP API against the same orders straight
 * into the sequencer (target ratio ≥ 0.5), and through a replica that forwards them there; and `kubectl apply` of a SymbolMode → every one of
 * three replicas refuses new orders, over N cycles (default 30; target p99 ≤ 250 ms). Prints
 * its figures and one JSON line last.
 */
import { benchApiAgainstEngine } from "./exchange-api";
import { benchMatching } from "./exchange-matching";
import { benchSymbolModeEnforcement } from "./exchange-symbol-mode";
import { numberOption } from "./payments-bench-stack";

function matchingAlone() {
  benchMatching(50_000); // warm-up: lets the JIT settle before the measured run
  const result = benchMatching(500_000);
  console.log(
    `matching alone  ${Math.round(result.ordersPerSecond)} orders/s over ${result.orders} orders, ${result.trades} trades (target >= 100000)`,
  );
  return result;
}

const matching = matchingAlone();
const api = await benchApiAgainstEngine(2_000);
console.log(
  `api vs engine   ${Math.round(api.apiPerSecond)} vs ${Math.round(api.directPerSecond)} orders/s, ratio ${api.ratio.toFixed(2)} (target >= 0.5)`,
);
console.log(
  `forwarded       ${Math.round(api.forwardedPerSecond)} orders/s through a replica that does not sequence (forwarded to the one that does)`,
);
const enforcement = await benchSymbolModeEnforcement(numberOption("cycles", 30));
const { total, afterCreate } = enforcement;
console.log(
  `symbol mode     kubectl apply -> 3/3 replicas refuse: p50 ${total.p50} ms, p99 ${total.p99} ms (max ${total.max}) over ${enforcement.cycles} cycles (target p99 <= 250); announced -> 3/3: p50 ${afterCreate.p50} ms, p99 ${afterCreate.p99} ms`,
);
console.log(
  JSON.stringify({
    benchmark: "exchange",
    matchingOrdersPerSecond: Math.round(matching.ordersPerSecond),
    matchingTrades: matching.trades,
    apiOrdersPerSecond: Math.round(api.apiPerSecond),
    engineOrdersPerSecond: Math.round(api.directPerSecond),
    apiToEngineRatio: Number(api.ratio.toFixed(2)),
    forwardedOrdersPerSecond: Math.round(api.forwardedPerSecond),
    symbolModeCycles: enforcement.cycles,
    symbolModeEnforceP50Ms: total.p50,
    symbolModeEnforceP99Ms: total.p99,
    symbolModeEnforceMaxMs: total.max,
    symbolModeAfterCreateP99Ms: afterCreate.p99,
    symbolModeTargetP99Ms: 250,
    symbolModeMetTarget: total.p99 <= 250,
  }),
);
