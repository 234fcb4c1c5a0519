/**
 * @module One price level of one side of the book: a FIFO of resting orders (time priority)
 * with its total. Cancelled orders are skipped lazily and the queue compacts itself, so a
 * cancel in the middle costs O(1) and the head stays cheap.
 */
import type { RestingOrder } from "./types";

/** Compact once this many consumed slots sit before the head. */
const compactAfterSlots = 64;

export class PriceLevel {
  readonly price: bigint;
  total = 0n;
  /** Live orders (remaining > 0) at this level. */
  count = 0;
  private queue: RestingOrder[] = [];
  private head = 0;

  constructor(price: bigint) {
    this.price = price;
  }

  push(order: RestingOrder): void {
    this.queue.push(order);
    this.total += order.remaining;
    this.count += 1;
  }

  /** The oldest live order, or undefined when the level is empty. */
  first(): RestingOrder | undefined {
    while (this.head < this.queue.length) {
      const order = this.queue[this.head] as RestingOrder;
      if (order.remaining > 0n) return order;
      this.head += 1;
    }
    return undefined;
  }

  /** Records that `order` (at this level) filled `quantity`. */
  filled(order: RestingOrder, quantity: bigint): void {
    order.remaining -= quantity;
    this.total -= quantity;
    if (order.remaining === 0n) this.count -= 1;
    this.compact();
  }

  /** Takes `order` off the level; it is skipped when reached. */
  remove(order: RestingOrder): void {
    this.total -= order.remaining;
    order.remaining = 0n;
    this.count -= 1;
    this.compact();
  }

  /** Live orders, oldest first. */
  orders(): RestingOrder[] {
    return this.queue.slice(this.head).filter((order) => order.remaining > 0n);
  }

  private compact(): void {
    if (this.head >= compactAfterSlots && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
