/**
 * @module One symbol's order book as the edge sees it: price levels per side, each the total
 * quantity resting there (BookChanged carries the new total; 0 removes the level).
 */

/** `[price, quantity]` in minor units, as sent to clients. */
export type Level = readonly [string, string];

export interface BookView {
  readonly bids: Level[];
  readonly asks: Level[];
}

export class OrderBook {
  readonly #bids = new Map<string, string>();
  readonly #asks = new Map<string, string>();

  apply(side: "buy" | "sell", price: string, quantity: string): void {
    const levels = side === "buy" ? this.#bids : this.#asks;
    if (quantity === "0") levels.delete(price);
    else levels.set(price, quantity);
  }

  /** The best `depth` levels per side: bids highest first, asks lowest first. */
  top(depth: number): BookView {
    return {
      bids: best(this.#bids, depth, (a, b) => (a > b ? -1 : a < b ? 1 : 0)),
      asks: best(this.#asks, depth, (a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    };
  }
}

function best(
  levels: Map<string, string>,
  depth: number,
  order: (a: bigint, b: bigint) => number,
): Level[] {
  const prices = [...levels.keys()].map((price) => BigInt(price));
  prices.sort(order);
  return prices.slice(0, depth).map((price) => {
    const key = price.toString();
    return [key, levels.get(key) ?? "0"] as const;
  });
}

/**
 * The levels a client must change to go from `before` to `after`: changed or new levels with
 * their quantity, levels that left the view with "0".
 */
export function levelChanges(before: readonly Level[], after: readonly Level[]): Level[] {
  const previous = new Map(before);
  const current = new Map(after);
  const changes: Level[] = [];
  for (const [price, quantity] of after) {
    if (previous.get(price) !== quantity) changes.push([price, quantity]);
  }
  for (const [price] of before) {
    if (!current.has(price)) changes.push([price, "0"]);
  }
  return changes;
}
