/**
 * @module Payments' problem types (the kit ledger's among them) and the mapping from domain errors to RFC 9457 problems
 * (slugs under the kit's base URI). Handlers run their work through {@link asProblem} so
 * every refusal names what went wrong; anything else (a lost database included: 503
 * `dependency/unavailable`) is the kit's error handler's to answer.
 */

import { ledgerProblemFor, ledgerProblems } from "../kit/ledger/ledger-problems";
import { ProblemError, problem } from "../kit/problem";
import { DepositReferenceMismatchError } from "./deposits";
import { PayoutNotFoundError, PayoutNotInReviewError } from "./payout-resolution";

/** The slugs payments answers with beside the kit's. */
export const paymentsProblems = {
  ...ledgerProblems,
  payoutNotFound: "payouts/not-found",
  payoutNotInReview: "payouts/not-in-review",
  withdrawalsHalted: "withdrawals/halted",
  payoutsThrottled: "payouts/throttled",
  webhookSignature: "webhook/invalid-signature",
  webhookReferenceMismatch: "webhook/reference-mismatch",
  webhookEventNotFound: "webhook/event-not-found",
  webhookReplayConflict: "webhook/replay-reference-conflict",
} as const;

/** The problem for a domain error, or undefined when the error is not one of ours. */
export function problemFor(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  const ledger = ledgerProblemFor(error);
  if (ledger) return ledger;
  if (error instanceof DepositReferenceMismatchError) {
    return problem({
      type: paymentsProblems.webhookReferenceMismatch,
      title: "Webhook payload differs for a known reference",
      status: 409,
      detail: `${error.message}; retry only with the same payload for the same reference`,
      extensions: { reference: error.reference },
    });
  }
  if (error instanceof PayoutNotFoundError) {
    return problem({
      type: paymentsProblems.payoutNotFound,
      title: "Payout not found",
      status: 404,
      detail: error.message,
    });
  }
  if (error instanceof PayoutNotInReviewError) {
    return problem({
      type: paymentsProblems.payoutNotInReview,
      title: "Payout is not in manual review",
      status: 409,
      detail: error.message,
      extensions: { payoutStatus: error.status },
    });
  }
  return undefined;
}

/**
 * Run `work` and rethrow a domain error as its problem (others pass through to the kit's
 * handler, which answers 503 for an outage and 500 otherwise).
 */
export async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw problemFor(error) ?? error;
  }
}
