/**
 * @module Who trades: a caller's token subject is its trader id, and its ledger accounts are
 * `exchange:<id>` and `exchange:<id>:held` (so the id must be a valid account segment). A
 * caller with the scope `orders:on-behalf` (the exchange edge, which authenticates traders by
 * their API keys) names the trader in `X-Exchange-Trader` instead.
 */
import type { Caller } from "../kit/caller-auth";
import { problem } from "../kit/problem";
import { exchangeScopes } from "./exchange-context";

/** The header in which an on-behalf caller names the trader. */
export const traderHeader = "x-exchange-trader";

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

/**
 * The trader a request acts for: `X-Exchange-Trader` when the caller may act on behalf of
 * traders (403 naming the scope otherwise), else the caller itself.
 */
export function traderOfRequest(caller: Caller, named: string | undefined): string {
  if (named === undefined) return traderOf(caller);
  if (caller.admin || !caller.scopes.has(exchangeScopes.ordersOnBehalf)) {
    throw problem({
      type: "auth/forbidden",
      title: "Forbidden",
      status: 403,
      detail: `X-Exchange-Trader needs a token with the scope ${exchangeScopes.ordersOnBehalf}`,
    });
  }
  if (traderPattern.test(named)) return named;
  throw problem({
    type: "auth/forbidden",
    title: "Forbidden",
    status: 403,
    detail: "X-Exchange-Trader: a trader id is 1-64 of a-z, 0-9, _ and -",
  });
}

/** Whether `trader` is a valid trader id (for admin routes naming one). */
export function isTraderId(trader: string): boolean {
  return traderPattern.test(trader);
}
