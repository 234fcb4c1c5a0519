/**
 * @module Writing the ledger in PostgreSQL. A posting locks the balances it
 * touches (in one stable order), checks them, then writes the transaction, its entries and
 * the new balances in one statement. Callers own the database transaction, so a posting
 * commits together with whatever caused it (a payout row, an outbox event).
 */
import type { ClientBase } from "pg";
import {
  type BalanceChange,
  balanceChanges,
  type Entry,
  entriesOf,
  type Posting,
} from "./ledger-posting";

/** What the ledger functions need from a pg client that is inside BEGIN. */
export type Queryable = Pick<ClientBase, "query">;

/** An account named in a posting does not exist. */
export class AccountNotFoundError extends Error {
  constructor(readonly account: string) {
    super(`account ${account} does not exist`);
    this.name = "AccountNotFoundError";
  }
}

/** A posting would take a non-negative account below zero. */
export class InsufficientFundsError extends Error {
  constructor(
    readonly account: string,
    readonly currency: string,
    readonly available: bigint,
    readonly requested: bigint,
  ) {
    super(`account ${account} holds ${available} ${currency}, ${requested} requested`);
    this.name = "InsufficientFundsError";
  }
}

/** A posting would take a balance outside what its 64-bit column holds. */
export class BalanceOutOfRangeError extends Error {
  constructor(
    readonly account: string,
    readonly currency: string,
  ) {
    super(
      `the balance of ${account} in ${currency} would leave the range a balance can hold (±2^63)`,
    );
    this.name = "BalanceOutOfRangeError";
  }
}

/** The range of a balance (PostgreSQL bigint): a posting that leaves it is refused, not wrapped. */
export const balanceMaximum = 2n ** 63n - 1n;
export const balanceMinimum = -(2n ** 63n);

/** A cause (transfer id, deposit reference...) that has already posted. */
export class DuplicateReferenceError extends Error {
  constructor(readonly reference: string) {
    super(`a ledger transaction with reference ${reference} already exists`);
    this.name = "DuplicateReferenceError";
  }
}

/** A caller's reference (its Idempotency-Key) already used by a different request of a kind. */
export class ReferenceConflictError extends Error {
  constructor(
    /** What the reference names: `transfer`, `payout`, `purchase`... */
    readonly what: string,
    readonly reference: string,
  ) {
    super(`reference ${reference} was already used by a different ${what}`);
    this.name = "ReferenceConflictError";
  }
}

/** An external account named where the caller allows only internal ones. */
export class ExternalAccountError extends Error {
  constructor(readonly account: string) {
    super(`account ${account} is external: money moves there only through deposits and payouts`);
    this.name = "ExternalAccountError";
  }
}

export interface TransactionInput {
  /** What caused it, e.g. transfer, deposit, payout_reserve, purchase_capture, correction. */
  readonly kind: string;
  /** Unique per cause, so a cause posts at most once. */
  readonly reference: string;
  readonly postings: readonly Posting[];
  readonly metadata?: Record<string, unknown>;
  /**
   * The external accounts this transaction may touch; any other is refused with
   * {@link ExternalAccountError} (API transfers allow none). @default every account
   */
  readonly externalAllowed?: readonly string[];
}

export interface PostedTransaction {
  readonly id: string;
  readonly createdAt: Date;
}

/**
 * Post a transaction. Must run inside a database transaction (the caller's BEGIN): the row
 * locks taken here are held until the caller commits.
 */
export async function postTransaction(
  client: Queryable,
  input: TransactionInput,
): Promise<PostedTransaction> {
  const entries = entriesOf(input.postings);
  const changes = balanceChanges(entries);
  const balances = await lockBalances(client, changes);
  checkFunds(changes, balances, input.externalAllowed);
  return writeTransaction(client, input, entries, changes);
}

interface LockedBalance {
  readonly amount: bigint;
  readonly allowNegative: boolean;
  readonly external: boolean;
}

/**
 * Lock every balance row of the posting in one stable order, or none of them. A posting whose
 * rows all exist locks them all in (account, currency) order. When one is missing (an
 * account's first posting in a currency), nothing is locked: the rows are created first and
 * the lock is taken again, whole and in order. Locking the present rows before creating the
 * missing one took them out of order (the new row may sort first), and two postings through
 * one busy balance (`platform:purchases:reserved`) then deadlocked: one held the busy row and
 * waited for the new one, which another had locked first while waiting for the busy row.
 */
const lockSql = `
  WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(account, currency))
  SELECT b.account, b.currency, b.amount, b.allow_negative, a.type = 'external' AS external
    FROM balances b
    JOIN wanted k ON b.account = k.account AND b.currency = k.currency
    JOIN accounts a ON a.name = b.account
   WHERE (SELECT count(*) FROM balances p JOIN wanted w
            ON p.account = w.account AND p.currency = w.currency) = cardinality($1::text[])
   ORDER BY b.account COLLATE "C", b.currency COLLATE "C"
     FOR UPDATE OF b`;

/** Lock the balance rows, creating missing ones (an account's first posting in a currency). */
async function lockBalances(
  client: Queryable,
  changes: readonly BalanceChange[],
): Promise<Map<string, LockedBalance>> {
  const accounts = changes.map((change) => change.account);
  const currencies = changes.map((change) => change.currency);
  const locked = await selectForUpdate(client, accounts, currencies);
  if (locked.size === changes.length) return locked;
  // Nothing is locked yet: create the missing rows, then lock them all in order.
  await createBalances(client, changes, locked);
  return selectForUpdate(client, accounts, currencies);
}

async function selectForUpdate(
  client: Queryable,
  accounts: readonly string[],
  currencies: readonly string[],
): Promise<Map<string, LockedBalance>> {
  const result = await client.query<{
    account: string;
    currency: string;
    amount: string;
    allow_negative: boolean;
    external: boolean;
  }>({ name: "ledger-lock", text: lockSql, values: [accounts, currencies] });
  const locked = new Map<string, LockedBalance>();
  for (const row of result.rows) {
    locked.set(balanceKey(row.account, row.currency), {
      amount: BigInt(row.amount),
      allowNegative: row.allow_negative,
      external: row.external,
    });
  }
  return locked;
}

async function createBalances(
  client: Queryable,
  changes: readonly BalanceChange[],
  existing: ReadonlyMap<string, LockedBalance>,
): Promise<void> {
  const missing = changes.filter(
    (change) => !existing.has(balanceKey(change.account, change.currency)),
  );
  const result = await client.query<{ account: string }>(
    `INSERT INTO balances (account, currency, allow_negative)
     SELECT a.name, k.currency, a.type = 'external'
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(account, currency, position)
       JOIN accounts a ON a.name = k.account
      ORDER BY k.position
     ON CONFLICT DO NOTHING
     RETURNING account`,
    [missing.map((change) => change.account), missing.map((change) => change.currency)],
  );
  if (result.rowCount === missing.length) return;
  const known = await client.query<{ name: string }>(
    "SELECT name FROM accounts WHERE name = ANY($1::text[])",
    [missing.map((change) => change.account)],
  );
  const names = new Set(known.rows.map((row) => row.name));
  const unknown = missing.find((change) => !names.has(change.account));
  if (unknown) throw new AccountNotFoundError(unknown.account);
}

function checkFunds(
  changes: readonly BalanceChange[],
  balances: ReadonlyMap<string, LockedBalance>,
  externalAllowed: readonly string[] | undefined,
): void {
  for (const change of changes) {
    const balance = balances.get(balanceKey(change.account, change.currency));
    if (balance === undefined) throw new AccountNotFoundError(change.account);
    if (balance.external && externalAllowed && !externalAllowed.includes(change.account)) {
      throw new ExternalAccountError(change.account);
    }
    const after = balance.amount + change.delta;
    if (after > balanceMaximum || after < balanceMinimum) {
      throw new BalanceOutOfRangeError(change.account, change.currency);
    }
    if (balance.allowNegative || after >= 0n) continue;
    throw new InsufficientFundsError(
      change.account,
      change.currency,
      balance.amount,
      -change.delta,
    );
  }
}

const writeSql = `
  WITH posted AS (
    INSERT INTO ledger_transactions (kind, reference, metadata)
    VALUES ($1, $2, $3)
    RETURNING id, created_at
  ), entries AS (
    INSERT INTO ledger_entries (transaction_id, account, currency, amount)
    SELECT posted.id, e.account, e.currency, e.amount
      FROM posted, unnest($4::text[], $5::text[], $6::bigint[]) AS e(account, currency, amount)
    RETURNING 1
  ), updated AS (
    UPDATE balances b
       SET amount = b.amount + d.delta, updated_at = now()
      FROM unnest($7::text[], $8::text[], $9::bigint[]) AS d(account, currency, delta)
     WHERE b.account = d.account AND b.currency = d.currency AND d.delta <> 0
    RETURNING 1
  )
  SELECT posted.id, posted.created_at,
         (SELECT count(*) FROM entries) AS entries,
         (SELECT count(*) FROM updated) AS updated
    FROM posted`;

async function writeTransaction(
  client: Queryable,
  input: TransactionInput,
  entries: readonly Entry[],
  changes: readonly BalanceChange[],
): Promise<PostedTransaction> {
  try {
    // Prepared once per connection (as is the lock above): every posting runs both, and
    // planning this statement each time costs PostgreSQL more than executing it.
    const result = await client.query<{ id: string; created_at: Date }>({
      name: "ledger-write",
      text: writeSql,
      values: [
        input.kind,
        input.reference,
        JSON.stringify(input.metadata ?? {}),
        entries.map((entry) => entry.account),
        entries.map((entry) => entry.currency),
        entries.map((entry) => entry.amount.toString()),
        changes.map((change) => change.account),
        changes.map((change) => change.currency),
        changes.map((change) => change.delta.toString()),
      ],
    });
    const row = result.rows[0]!;
    return { id: row.id, createdAt: row.created_at };
  } catch (error) {
    if (isUniqueViolation(error, "ledger_transactions_reference_key")) {
      throw new DuplicateReferenceError(input.reference);
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const record = error as { code?: string; constraint?: string };
  return record.code === "23505" && record.constraint === constraint;
}

function balanceKey(account: string, currency: string): string {
  return `${account}\u0000${currency}`;
}
