/** @module The symbol the exchange's tests and benchmark trade: BTC-USD in satoshi and cents. */
import type { SymbolSpec } from "../../services/exchange/engine/symbol-spec";

/** BTC-USD: 0.001 BTC lots, 10.00 USD ticks (price in cents per whole BTC). */
export const btcUsd: SymbolSpec = {
  symbol: "BTC-USD",
  base: "BTC",
  quote: "USD",
  baseUnitMinor: 100_000_000n,
  lotSizeMinor: 100_000n,
  tickSizeMinor: 1_000n,
};
