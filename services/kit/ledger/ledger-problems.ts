/**
 * @module The ledger's errors as RFC 9457 problems, so every service that posts to the kit's
 * ledger refuses the same fault with the same slug (`ledger/insufficient-funds`, ...).
 */
import { ProblemError, problem } from "../problem";
import { AccountConflictError } from "./accounts";
import {
  AccountNotFoundError,
  BalanceOutOfRangeError,
  ExternalAccountError,
  InsufficientFundsError,
  ReferenceConflictError,
} from "./ledger";
import { InvalidPostingError } from "./ledger-posting";

/** The slugs of the ledger's refusals. */
export const ledgerProblems = {
  accountNotFound: "accounts/not-found",
  accountConflict: "accounts/conflict",
  insufficientFunds: "ledger/insufficient-funds",
  externalAccount: "ledger/external-account",
  invalidPosting: "ledger/invalid-posting",
  balanceOutOfRange: "ledger/balance-out-of-range",
  referenceConflict: "ledger/reference-conflict",
} as const;

/** The problem for a ledger error (or a problem already), undefined for anything else. */
export function ledgerProblemFor(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  if (error instanceof AccountNotFoundError) {
    return problem({
      type: ledgerProblems.accountNotFound,
      title: "Account not found",
      status: 422,
      detail: error.message,
      extensions: { account: error.account },
    });
  }
  if (error instanceof InsufficientFundsError) {
    return problem({
      type: ledgerProblems.insufficientFunds,
      title: "Insufficient funds",
      status: 422,
      detail: `account ${error.account} cannot cover ${error.requested} ${error.currency}`,
      extensions: { account: error.account, currency: error.currency },
    });
  }
  if (error instanceof BalanceOutOfRangeError) {
    return problem({
      type: ledgerProblems.balanceOutOfRange,
      title: "Balance out of range",
      status: 422,
      detail: `amount: ${error.message}`,
      extensions: { field: "amount", account: error.account, currency: error.currency },
    });
  }
  if (error instanceof ExternalAccountError) {
    return problem({
      type: ledgerProblems.externalAccount,
      title: "External accounts cannot be used here",
      status: 422,
      detail: error.message,
      extensions: { account: error.account },
    });
  }
  if (error instanceof InvalidPostingError) {
    return problem({
      type: ledgerProblems.invalidPosting,
      title: "Invalid posting",
      status: 422,
      detail: error.message,
    });
  }
  if (error instanceof ReferenceConflictError) {
    return problem({
      type: ledgerProblems.referenceConflict,
      title: "Reference already used",
      status: 409,
      detail: error.message,
    });
  }
  if (error instanceof AccountConflictError) {
    return problem({
      type: ledgerProblems.accountConflict,
      title: "Account exists with other settings",
      status: 409,
      detail: error.message,
    });
  }
  return undefined;
}
