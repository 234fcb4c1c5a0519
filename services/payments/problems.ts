/**
 * @module Payments' problem types and the mapping from domain errors to RFC 9457 problems
 * (slugs under the kit's base URI). Handlers run their work through {@link asProblem} so
 * every refusal names what went wrong; anything else (a lost database included: 503
 * `dependency/unavailable`) is the kit's error handler's to answer.
 */

import { AccountConflictError } from "../kit/ledger/accounts";
import {
  AccountNotFoundError,
  BalanceOutOfRangeError,
  ExternalAccountError,
  InsufficientFundsError,
  ReferenceConflictError,
} from "../kit/ledger/ledger";
import { InvalidPostingError } from "../kit/ledger/ledger-posting";
import { ProblemError, problem } from "../kit/problem";
import { DepositReferenceMismatchError } from "./deposits";
import { PayoutNotFoundError, PayoutNotInReviewError } from "./payout-resolution";

/** The slugs payments answers with beside the kit's. */
export const paymentsProblems = {
  accountNotFound: "accounts/not-found",
  accountConflict: "accounts/conflict",
  insufficientFunds: "ledger/insufficient-funds",
  externalAccount: "ledger/external-account",
  invalidPosting: "ledger/invalid-posting",
  balanceOutOfRange: "ledger/balance-out-of-range",
  referenceConflict: "ledger/reference-conflict",
  payoutNotFound: "payouts/not-found",
  payoutNotInReview: "payouts/not-in-review",
  withdrawalsHalted: "withdrawals/halted",
  webhookSignature: "webhook/invalid-signature",
  webhookReferenceMismatch: "webhook/reference-mismatch",
} as const;

/** The problem for a domain error, or undefined when the error is not one of ours. */
export function problemFor(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  if (error instanceof AccountNotFoundError) {
    return problem({
      type: paymentsProblems.accountNotFound,
      title: "Account not found",
      status: 422,
      detail: error.message,
      extensions: { account: error.account },
    });
  }
  if (error instanceof InsufficientFundsError) {
    return problem({
      type: paymentsProblems.insufficientFunds,
      title: "Insufficient funds",
      status: 422,
      detail: `account ${error.account} cannot cover ${error.requested} ${error.currency}`,
      extensions: { account: error.account, currency: error.currency },
    });
  }
  if (error instanceof BalanceOutOfRangeError) {
    return problem({
      type: paymentsProblems.balanceOutOfRange,
      title: "Balance out of range",
      status: 422,
      detail: `amount: ${error.message}`,
      extensions: { field: "amount", account: error.account, currency: error.currency },
    });
  }
  if (error instanceof ExternalAccountError) {
    return problem({
      type: paymentsProblems.externalAccount,
      title: "External accounts cannot be used here",
      status: 422,
      detail: error.message,
      extensions: { account: error.account },
    });
  }
  if (error instanceof InvalidPostingError) {
    return problem({
      type: paymentsProblems.invalidPosting,
      title: "Invalid posting",
      status: 422,
      detail: error.message,
    });
  }
  if (error instanceof ReferenceConflictError) {
    return problem({
      type: paymentsProblems.referenceConflict,
      title: "Reference already used",
      status: 409,
      detail: error.message,
    });
  }
  if (error instanceof AccountConflictError) {
    return problem({
      type: paymentsProblems.accountConflict,
      title: "Account exists with other settings",
      status: 409,
      detail: error.message,
    });
  }
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
