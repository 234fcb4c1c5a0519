/**
 * @module `npm run bench -- exchange`: matching alone, in memory on one core (target ≥ 100,000
 * orders/s). Prints its figures and one JSON line last.
 */
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
console.log(
  JSON.stringify({
    benchmark: "exchange",
    matchingOrdersPerSecond: Math.round(matching.ordersPerSecond),
    matchingTrades: matching.trades,
  }),
);
