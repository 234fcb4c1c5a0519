/** @module The symbol the exchange's tests and benchmark trade: BTC-USD from the catalogue. */
import type { SymbolSpec } from "../../services/exchange/engine/symbol-spec";
import { catalogueSymbol } from "../../services/exchange/symbols";

/** BTC-USD: 0.001 BTC lots, 10.00 USD ticks (price in cents per whole BTC). */
export const btcUsd = catalogueSymbol("BTC-USD") as SymbolSpec;
