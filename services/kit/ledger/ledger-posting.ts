/**
 * @module The pure part of the double-entry ledger: postings become entries, entries must
 * sum to zero per currency, and the balance changes they cause come out in one stable order.
 */

/** Move `amount` minor units of `currency` from `source` to `target`. */
export interface Posting {
  readonly source: string;
  readonly target: string;
  readonly amount: bigint;
  readonly currency: string;
}

/** One line of a transaction: negative leaves the account, positive arrives. */
export interface Entry {
  readonly account: string;
  readonly currency: string;
  readonly amount: bigint;
}

/** The net change a transaction makes to one balance. */
export interface BalanceChange {
  readonly account: string;
  readonly currency: string;
  readonly delta: bigint;
}

/** A transaction whose entries do not sum to zero in some currency. */
export class UnbalancedTransactionError extends Error {
  constructor(
    readonly currency: string,
    readonly total: bigint,
  ) {
    super(`entries in ${currency} sum to ${total}, expected 0`);
    this.name = "UnbalancedTransactionError";
  }
}

/** A posting that cannot be written: no amount, or money moving to where it came from. */
export class InvalidPostingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidPostingError";
  }
}

/** The entries of a list of postings, two per posting, in posting order. */
export function entriesOf(postings: readonly Posting[]): Entry[] {
  if (postings.length === 0) throw new InvalidPostingError("a transaction needs a posting");
  const entries: Entry[] = [];
  for (const posting of postings) {
    if (posting.amount <= 0n) throw new InvalidPostingError("a posting's amount must be above 0");
    if (posting.source === posting.target) {
      throw new InvalidPostingError(`source and target are both ${posting.source}`);
    }
    entries.push({ account: posting.source, currency: posting.currency, amount: -posting.amount });
    entries.push({ account: posting.target, currency: posting.currency, amount: posting.amount });
  }
  assertBalanced(entries);
  return entries;
}

/** Throw {@link UnbalancedTransactionError} unless the entries sum to zero per currency. */
export function assertBalanced(entries: readonly Entry[]): void {
  const totals = new Map<string, bigint>();
  for (const entry of entries) {
    totals.set(entry.currency, (totals.get(entry.currency) ?? 0n) + entry.amount);
  }
  for (const [currency, total] of totals) {
    if (total !== 0n) throw new UnbalancedTransactionError(currency, total);
  }
}

/**
 * The net change per (account, currency), sorted by account then currency (code-point order,
 * like PostgreSQL's "C" collation), which is the order balances are locked in so that two
 * transactions touching the same accounts can never deadlock. Changes that net to zero stay:
 * their balance row is still locked and must exist.
 */
export function balanceChanges(entries: readonly Entry[]): BalanceChange[] {
  const deltas = new Map<string, BalanceChange>();
  for (const entry of entries) {
    const key = `${entry.account}\u0000${entry.currency}`;
    const delta = (deltas.get(key)?.delta ?? 0n) + entry.amount;
    deltas.set(key, { account: entry.account, currency: entry.currency, delta });
  }
  return [...deltas.values()].sort(compareBalanceKeys);
}

function compareBalanceKeys(left: BalanceChange, right: BalanceChange): number {
  if (left.account !== right.account) return left.account < right.account ? -1 : 1;
  if (left.currency !== right.currency) return left.currency < right.currency ? -1 : 1;
  return 0;
}
