/**
 * @module Releasing or refunding a transaction: the one audited transition behind the
 * buyer's confirmation, the admin endpoints, an EscrowResolution control and a dispute's
 * decision. The posting, the state move, its audit row, its event and (on release) the
 * seller's payout commit together. Repeating a resolution that already happened changes
 * nothing and answers the transaction as it is.
 */
import { type Pool, withTransaction } from "../kit/db";
import { postRelease } from "./escrow-money";
import { queuePayout } from "./payouts";
import {
  canTransition,
  type TransactionState,
  TransactionTransitionError,
} from "./transaction-state";
import {
  type EscrowTransaction,
  lockTransaction,
  type MoveCause,
  moveTransaction,
} from "./transactions";

export type Resolution = "release" | "refund";

/** The state a resolution ends in. */
export function resolvedState(decision: Resolution): TransactionState {
  return decision === "release" ? "released" : "refunded";
}

/** No transaction has that id. */
export class TransactionNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no transaction ${id}`);
    this.name = "TransactionNotFoundError";
  }
}

export interface ResolutionResult {
  readonly transaction: EscrowTransaction;
  /** False when the transaction already was in the resolved state (a harmless repeat). */
  readonly changed: boolean;
}

/** Release or refund transaction `id`; a move the state machine refuses throws. */
export async function resolveTransaction(
  pool: Pool,
  id: string,
  decision: Resolution,
  cause: MoveCause,
  check: (transaction: EscrowTransaction) => void = () => undefined,
): Promise<ResolutionResult> {
  return withTransaction(
    pool,
    async (tx) => {
      const current = await lockTransaction(tx, id);
      if (current === undefined) throw new TransactionNotFoundError(id);
      if (current.state === resolvedState(decision))
        return { transaction: current, changed: false };
      check(current);
      // Refused before any money moves (the trigger would refuse it too, after the posting).
      if (!canTransition(current.state, resolvedState(decision)))
        throw new TransactionTransitionError(id, current.state, resolvedState(decision));
      const finalTransactionId = await postRelease(tx, current, decision);
      const moved = await moveTransaction(tx, current, resolvedState(decision), cause, {
        finalTransactionId,
      });
      if (decision === "release") {
        await queuePayout(tx, moved);
        await tx.query("UPDATE listings SET status = 'sold' WHERE id = $1", [moved.listingId]);
      }
      return { transaction: moved, changed: true };
    },
    { retries: 3 },
  );
}
