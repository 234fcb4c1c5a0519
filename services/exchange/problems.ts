/**
 * @module The exchange's problem types beside the kit's and the ledger's, and the mapping of
 * its domain errors to RFC 9457 problems.
 */
import { ledgerProblemFor, ledgerProblems } from "../kit/ledger/ledger-problems";
import { ProblemError, problem } from "../kit/problem";
import { NotLeaderError } from "./sequencer/sequencer";

export const exchangeProblems = {
  ...ledgerProblems,
  unknownSymbol: "exchange/unknown-symbol",
  invalidOrder: "exchange/invalid-order",
  orderNotFound: "exchange/order-not-found",
  orderNotOpen: "exchange/order-not-open",
  sequencerUnavailable: "exchange/sequencer-unavailable",
  withdrawalsHalted: "withdrawals/halted",
  ordersThrottled: "exchange/orders-throttled",
} as const;

/** The problem for `error`, or the error itself when it is none of ours. */
export function asExchangeProblem(error: unknown): unknown {
  if (error instanceof ProblemError) return error;
  const ledger = ledgerProblemFor(error);
  if (ledger) return ledger;
  if (error instanceof NotLeaderError)
    return problem({
      type: exchangeProblems.sequencerUnavailable,
      title: "The symbol's sequencer is unavailable",
      status: 503,
      detail: `${error.message}; retry shortly (with the same clientOrderId)`,
      headers: { "retry-after": "1" },
    });
  return error;
}

export function unknownSymbol(symbol: string): ProblemError {
  return problem({
    type: exchangeProblems.unknownSymbol,
    title: "Unknown symbol",
    status: 404,
    detail: `${symbol} is not traded here`,
    extensions: { symbol },
  });
}

export function invalidOrder(field: string, detail: string): ProblemError {
  return problem({
    type: exchangeProblems.invalidOrder,
    title: "The order does not fit the symbol",
    status: 422,
    detail,
    extensions: { errors: [{ in: "body", path: field, message: detail }] },
  });
}

export function orderNotFound(orderId: string): ProblemError {
  return problem({
    type: exchangeProblems.orderNotFound,
    title: "Order not found",
    status: 404,
    detail: `no order ${orderId} of yours`,
  });
}
