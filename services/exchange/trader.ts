/**
 * @module Who trades: a caller's token subject is its trader id, and its ledger accounts are
 * `exchange:<id>` and `exchange:<id>:held` (so the id must be a valid account segment).
 */
import type { Caller } from "../kit/caller-auth";
import { problem } from "../kit/problem";

const traderPattern = /^[a-z0-9_-]{1,64}$/;

/** The trader a caller acts as; 403 for a subject that cannot name exchange accounts. */
export function traderOf(caller: Caller): string {
  if (!caller.admin && traderPattern.test(caller.subject)) return caller.subject;
  throw problem({
    type: "auth/forbidden",
    title: "Forbidden",
    status: 403,
    detail: caller.admin
      ? "the admin token reads and deposits; orders are placed by traders"
      : "a trader id is 1-64 of a-z, 0-9, _ and -: this token's subject is not one",
  });
}

/** Whether `trader` is a valid trader id (for admin routes naming one). */
export function isTraderId(trader: string): boolean {
  return traderPattern.test(trader);
}
