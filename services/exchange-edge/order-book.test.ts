/** @module Unit tests of the edge's book: best levels per side by price, and the changes between two views. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { levelChanges, OrderBook } from "./order-book";

test("the best levels: bids highest first, asks lowest first, by value not by text", () => {
  const book = new OrderBook();
  for (const price of ["9", "100", "99", "1000"]) book.apply("buy", price, "1");
  for (const price of ["1001", "10000", "1002"]) book.apply("sell", price, "2");
  book.apply("buy", "1000", "0");
  assert.equal(book.top(2), {
    bids: [
      ["100", "1"],
      ["99", "1"],
    ],
    asks: [
      ["1001", "2"],
      ["1002", "2"],
    ],
  });
});

test("changes name changed and new levels, and levels that left the view with 0", () => {
  const before = [
    ["100", "5"],
    ["99", "7"],
  ] as const;
  const after = [
    ["99", "8"],
    ["98", "9"],
  ] as const;
  assert.equal(levelChanges([...before], [...after]), [
    ["99", "8"],
    ["98", "9"],
    ["100", "0"],
  ]);
  assert.equal(levelChanges([...after], [...after]), []);
});

test.run();
