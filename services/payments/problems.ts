/**
 * @module Payments' problem types and the mapping from domain errors to RFC 9457 problems
 * (slugs under the kit's base URI). Handlers run their work through {@link asProblem} so
 * every refusal names what went wrong, and a lost database is a 503, never a bare 500.
 */
import { kitProblems, ProblemError, problem } from "../kit/problem";
import { AccountConflictError } from "./accounts";
import { DepositReferenceMismatchError } from "./deposits";
import { AccountNotFoundError, ExternalAccountError, InsufficientFundsError } from "./ledger";
import { InvalidPostingError } from "./ledger-posting";
import { PayoutNotFoundError, PayoutNotInReviewError } from "./payout-resolution";
import { PayoutReferenceConflictError } from "./payouts";
import { TransferReferenceConflictError } from "./transfers";

/** The slugs payments answers with beside the kit's. */
export const paymentsProblems = {
  accountNotFound: "accounts/not-found",
  accountConflict: "accounts/conflict",
  insufficientFunds: "ledger/insufficient-funds",
  externalAccount: "ledger/external-account",
  invalidPosting: "ledger/invalid-posting",
  referenceConflict: "ledger/reference-conflict",
  payoutNotFound: "payouts/not-found",
  payoutNotInReview: "payouts/not-in-review",
  withdrawalsHalted: "withdrawals/halted",
  webhookSignature: "webhook/invalid-signature",
  webhookReferenceMismatch: "webhook/reference-mismatch",
} as const;

/** PostgreSQL classes and messages that mean the database is out of reach, not wrong. */
const unavailableCodes = new Set([
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
]);
const unavailableMessages =
  /Connection terminated|timeout exceeded when trying to connect|connection error|Connection ended|not queryable/i;

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
  if (
    error instanceof TransferReferenceConflictError ||
    error instanceof PayoutReferenceConflictError
  ) {
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
  if (isDatabaseUnavailable(error)) {
    return problem({
      type: kitProblems.dependencyUnavailable,
      title: "A dependency is unavailable",
      status: 503,
      detail: "PostgreSQL cannot be reached; nothing was changed by this request",
      headers: { "retry-after": "2" },
    });
  }
  return undefined;
}

/** Whether an error says the database is out of reach. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const record = error as { code?: unknown; message?: unknown };
  const code = typeof record.code === "string" ? record.code : "";
  if (code.startsWith("08") || unavailableCodes.has(code)) return true;
  return typeof record.message === "string" && unavailableMessages.test(record.message);
}

/**
 * Run `work` and rethrow a domain error as its problem (others pass through to the kit's
 * handler, which answers 500 problem+json).
 */
export async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw problemFor(error) ?? error;
  }
}
