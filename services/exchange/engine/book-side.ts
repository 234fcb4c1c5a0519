/**
 * @module One side of a book: price levels kept sorted so that the best price is last (bids
 * ascending, asks descending), so taking and removing the best level is O(1) and a new level
 * is placed by binary search.
 */
import { PriceLevel } from "./price-level";
import type { Side } from "./types";

export class BookSide {
  readonly side: Side;
  private readonly levels: PriceLevel[] = [];
  private readonly byPrice = new Map<bigint, PriceLevel>();

  constructor(side: Side) {
    this.side = side;
  }

  /** The best level (highest bid, lowest ask), or undefined when the side is empty. */
  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  level(price: bigint): PriceLevel | undefined {
    return this.byPrice.get(price);
  }

  /** The level at `price`, created in place when it does not exist. */
  levelFor(price: bigint): PriceLevel {
    const existing = this.byPrice.get(price);
    if (existing !== undefined) return existing;
    const level = new PriceLevel(price);
    this.levels.splice(this.insertionIndex(price), 0, level);
    this.byPrice.set(price, level);
    return level;
  }

  /** Drops `level` once it holds nothing. */
  dropIfEmpty(level: PriceLevel): void {
    if (level.count > 0) return;
    this.byPrice.delete(level.price);
    const last = this.levels.length - 1;
    if (this.levels[last] === level) this.levels.pop();
    else this.levels.splice(this.levels.indexOf(level), 1);
  }

  /** Levels best first. */
  bestFirst(): PriceLevel[] {
    return [...this.levels].reverse();
  }

  /** Whether `a` is a better price than `b` for this side. */
  better(a: bigint, b: bigint): boolean {
    return this.side === "buy" ? a > b : a < b;
  }

  private insertionIndex(price: bigint): number {
    // Sorted worst to best: an index i has levels[i] worse than price before it.
    let low = 0;
    let high = this.levels.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.better(price, (this.levels[middle] as PriceLevel).price)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
