/**
 * @module `npm run bench -- exchange`: matching alone, in memory on one core (target ≥ 100,000
 * orders/s), and orders through the HTTP API against the same orders straight into the
 * sequencer (target ratio ≥ 0.5). Prints its figures and one JSON line last.
 */
import { benchApiAgainstEngine } from "./exchange-api";
import { benchMatching } from "./exchange-matching";

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
  JSON.stringify({
    benchmark: "exchange",
    matchingOrdersPerSecond: Math.round(matching.ordersPerSecond),
    matchingTrades: matching.trades,
    apiOrdersPerSecond: Math.round(api.apiPerSecond),
    engineOrdersPerSecond: Math.round(api.directPerSecond),
    apiToEngineRatio: Number(api.ratio.toFixed(2)),
  }),
);
