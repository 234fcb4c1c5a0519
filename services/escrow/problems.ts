/**
 * @module Escrow's problem types beside the kit ledger's, and {@link asProblem}, which
 * rethrows a domain error (a refused state move, an unknown transaction, a listing that
 * cannot be bought, webhook drift, a vault that cannot open) or a ledger error as its
 * problem; anything else goes to the kit's error handler.
 */
import { ledgerProblemFor, ledgerProblems } from "../kit/ledger/ledger-problems";
import { ProblemError, problem } from "../kit/problem";
import { VaultOpenError } from "./credential-vault";
import { DisputeDecidedError } from "./disputes";
import { PaymentEventMismatchError } from "./payment-events";
import { TransactionNotFoundError } from "./resolution";
import { ListingUnavailableError } from "./trades";
import { TransactionTransitionError } from "./transaction-state";

export const escrowProblems = {
  ...ledgerProblems,
  listingNotFound: "listings/not-found",
  listingUnavailable: "listings/unavailable",
  transactionNotFound: "transactions/not-found",
  transitionRefused: "transactions/transition-refused",
  revealRefused: "transactions/reveal-refused",
  vaultUnavailable: "vault/unavailable",
  unsupportedSubject: "auth/unsupported-subject",
  webhookSignature: "webhook/invalid-signature",
  webhookMismatch: "webhook/reference-mismatch",
  disputeNotFound: "disputes/not-found",
  disputeDecided: "disputes/already-decided",
  invalidCredentials: "auth/invalid-credentials",
  accountLocked: "auth/account-locked",
  loginRateLimited: "auth/rate-limited",
  otpExpired: "auth/otp-expired",
  invalidOtp: "auth/invalid-otp",
  accountExists: "auth/account-exists",
} as const;

/** 404 for a transaction that does not exist or is not the caller's to see. */
export function transactionNotFound(id: string): ProblemError {
  return problem({
    type: escrowProblems.transactionNotFound,
    title: "Transaction not found",
    status: 404,
    detail: `no transaction ${id}`,
  });
}

/** The problem for a domain error, or undefined when the error is not one of ours. */
export function problemFor(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return error;
  if (error instanceof TransactionTransitionError) {
    return problem({
      type: escrowProblems.transitionRefused,
      title: "The transaction cannot make that move",
      status: 409,
      detail: `transaction ${error.id} is ${error.from}; it cannot become ${error.to}`,
      extensions: { state: error.from, requested: error.to },
    });
  }
  if (error instanceof TransactionNotFoundError) return transactionNotFound(error.id);
  if (error instanceof DisputeDecidedError) {
    return problem({
      type: escrowProblems.disputeDecided,
      title: "The dispute is already decided",
      status: 409,
      detail: error.message,
    });
  }
  if (error instanceof ListingUnavailableError) {
    const notFound = error.why === "not-found";
    return problem({
      type: notFound ? escrowProblems.listingNotFound : escrowProblems.listingUnavailable,
      title: notFound ? "Listing not found" : "Listing cannot be bought",
      status: notFound ? 404 : 409,
      detail: error.message,
      extensions: { listingId: error.listingId, why: error.why },
    });
  }
  if (error instanceof PaymentEventMismatchError) {
    return problem({
      type: escrowProblems.webhookMismatch,
      title: "Webhook payload differs for a known reference",
      status: 409,
      detail: `${error.message}; retry only with the same payload for the same reference`,
      extensions: { event: error.event, reference: error.reference },
    });
  }
  if (error instanceof VaultOpenError) {
    return problem({
      type: escrowProblems.vaultUnavailable,
      title: "The credentials cannot be opened",
      status: 503,
      detail: `${error.message}; on-call must check the vault pepper (runbook: credential vault)`,
    });
  }
  return ledgerProblemFor(error);
}

/** Run `work` and rethrow a domain or ledger error as its problem. */
export async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw problemFor(error) ?? error;
  }
}
