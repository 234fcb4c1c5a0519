/**
 * @module The escrow transaction state machine (seed 004). A transaction waits for the
 * buyer's payment (`pending_payment`), holds the funds once the provider confirms it
 * (`funds_held`), records the transfer contract once both parties signed
 * (`contract_signed`), and ends `released` (held funds to the seller) or `refunded` (back to
 * the buyer). Either party may dispute while funds are held. The trigger in
 * migrations/001_escrow.sql allows exactly these moves too.
 *
 * ```
 * pending_payment ──paid──▶ funds_held ──both signed──▶ contract_signed ──confirmed──▶ released
 *        └──cancel──▶ cancelled   │  └────────┬──────────────┘  └────────────────────▶ refunded
 *                                 └──dispute──▶ disputed ──decision──▶ released | refunded
 * ```
 */

export const transactionStates = [
  "pending_payment",
  "funds_held",
  "contract_signed",
  "disputed",
  "released",
  "refunded",
  "cancelled",
] as const;
export type TransactionState = (typeof transactionStates)[number];

/** The moves allowed from each state. */
export const transactionTransitions: Readonly<
  Record<TransactionState, readonly TransactionState[]>
> = {
  pending_payment: ["funds_held", "cancelled"],
  funds_held: ["contract_signed", "disputed", "released", "refunded"],
  contract_signed: ["disputed", "released", "refunded"],
  disputed: ["released", "refunded"],
  released: [],
  refunded: [],
  cancelled: [],
};

/** The states whose funds are held: stuck when they last longer than `stuckEscrowDays`. */
export const heldStates: readonly TransactionState[] = [
  "funds_held",
  "contract_signed",
  "disputed",
];

/** A move the state machine does not allow. */
export class TransactionTransitionError extends Error {
  constructor(
    readonly id: string,
    readonly from: TransactionState,
    readonly to: TransactionState,
  ) {
    super(`transaction ${id} cannot move from ${from} to ${to}`);
    this.name = "TransactionTransitionError";
  }
}

/** Whether `from → to` is allowed. */
export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return transactionTransitions[from].includes(to);
}

/** Whether no move leaves `state`. */
export function isFinal(state: TransactionState): boolean {
  return transactionTransitions[state].length === 0;
}

/** Whether the buyer may see the credentials: only once the funds are held, until refunded. */
export function mayReveal(state: TransactionState): boolean {
  return state === "funds_held" || state === "contract_signed" || state === "released";
}
