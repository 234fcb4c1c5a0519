/**
 * @module The symbols the exchange can list, and `EXCHANGE_SYMBOLS` (which of them trade):
 * each with its lot and tick size, chosen so that every price × quantity is a whole number of
 * quote minor units (checked when the catalogue loads).
 */
import type { SymbolSpec } from "./engine/symbol-spec";
import { symbolSpecProblem } from "./engine/symbol-spec";

/** Every symbol the exchange knows. Prices are quote minor units per one whole base unit. */
export const symbolCatalogue: readonly SymbolSpec[] = [
  // 0.001 BTC lots (satoshi), 10.00 USD ticks (cents).
  {
    symbol: "BTC-USD",
    base: "BTC",
    quote: "USD",
    baseUnitMinor: 100_000_000n,
    lotSizeMinor: 100_000n,
    tickSizeMinor: 1_000n,
  },
  // 0.01 ETH lots (gwei), 1.00 USD ticks (cents).
  {
    symbol: "ETH-USD",
    base: "ETH",
    quote: "USD",
    baseUnitMinor: 1_000_000_000n,
    lotSizeMinor: 10_000_000n,
    tickSizeMinor: 100n,
  },
];

for (const spec of symbolCatalogue) {
  const problem = symbolSpecProblem(spec);
  if (problem !== undefined) throw new Error(`symbol ${spec.symbol}: ${problem}`);
}

/** The catalogue entry of `symbol`, or undefined. */
export function catalogueSymbol(symbol: string): SymbolSpec | undefined {
  return symbolCatalogue.find((spec) => spec.symbol === symbol);
}
