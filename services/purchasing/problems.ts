/**
 * @module Purchasing's problem types beside the kit ledger's, and {@link asProblem}, which
 * rethrows a ledger error as its problem (others go to the kit's error handler).
 */
import { ledgerProblemFor, ledgerProblems } from "../kit/ledger/ledger-problems";

export const purchasingProblems = {
  ...ledgerProblems,
  purchaseNotFound: "purchases/not-found",
  noProvider: "purchases/no-provider-available",
  purchaseFailed: "purchases/failed",
  alreadyFinished: "purchases/already-finished",
  purchaseBusy: "purchases/busy",
  cancelUndecided: "purchases/cancel-undecided",
  cronUnauthorized: "cron/unauthorized",
} as const;

/** Run `work` and rethrow a ledger error as its problem. */
export async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw ledgerProblemFor(error) ?? error;
  }
}
