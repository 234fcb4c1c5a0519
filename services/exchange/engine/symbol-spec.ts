/**
 * @module What the engine needs to know about a symbol: its assets, the size of one whole
 * base unit in base minor units, and the lot and tick sizes that keep every notional a whole
 * number of quote minor units.
 */

export interface SymbolSpec {
  /** BASE-QUOTE, e.g. BTC-USD. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Base minor units in one whole base unit (10^8 for BTC in satoshi). */
  readonly baseUnitMinor: bigint;
  /** Quantities are whole multiples of this many base minor units. */
  readonly lotSizeMinor: bigint;
  /** Prices are whole multiples of this many quote minor units. */
  readonly tickSizeMinor: bigint;
}

/** The notional of `quantity` at `price`, in quote minor units (exact by the spec's sizes). */
export function quoteAmountOf(spec: SymbolSpec, price: bigint, quantity: bigint): bigint {
  return (price * quantity) / spec.baseUnitMinor;
}

/**
 * Why `spec` cannot trade, or undefined when it can: one tick times one lot must be a whole
 * number of quote minor units, so that every price × quantity is.
 */
export function symbolSpecProblem(spec: SymbolSpec): string | undefined {
  if (spec.baseUnitMinor <= 0n) return "baseUnitMinor must be positive";
  if (spec.lotSizeMinor <= 0n) return "lotSizeMinor must be positive";
  if (spec.tickSizeMinor <= 0n) return "tickSizeMinor must be positive";
  if ((spec.tickSizeMinor * spec.lotSizeMinor) % spec.baseUnitMinor !== 0n)
    return `tickSizeMinor × lotSizeMinor must be a multiple of baseUnitMinor (${spec.baseUnitMinor}) so every notional is whole`;
  return undefined;
}
