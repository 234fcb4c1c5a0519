/**
 * @module Accounts: named, namespaced addresses (`users:42:wallet`) that hold one balance per
 * currency. Accounts created through the API are `user` or `platform` accounts, which never
 * go below zero; `external` accounts (the PSP) come from migrations only, because money can
 * appear from them.
 */
import { canonicalJson } from "../canonical-json";
import type { Queryable } from "./ledger";

export type AccountType = "user" | "platform" | "external";

export interface AccountBalance {
  readonly currency: string;
  /** Minor units, as a string. */
  readonly amount: string;
}

export interface Account {
  readonly name: string;
  readonly type: AccountType;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly balances: AccountBalance[];
}

export interface NewAccount {
  readonly name: string;
  readonly type: "user" | "platform";
  readonly metadata?: Record<string, unknown>;
}

/** Two creations of one name that disagree. */
export class AccountConflictError extends Error {
  constructor(readonly account: string) {
    super(`account ${account} already exists with another type or metadata`);
    this.name = "AccountConflictError";
  }
}

/**
 * Create an account. Creating the same account twice is answered with the existing one
 * (`created: false`); the same name with another type or metadata is an
 * {@link AccountConflictError}.
 */
export async function createAccount(
  pool: Queryable,
  input: NewAccount,
): Promise<{ account: Account; created: boolean }> {
  const metadata = input.metadata ?? {};
  const inserted = await pool.query(
    `INSERT INTO accounts (name, type, metadata) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO NOTHING RETURNING name`,
    [input.name, input.type, JSON.stringify(metadata)],
  );
  const account = await getAccount(pool, input.name);
  if (account === undefined) throw new Error(`account ${input.name} vanished after its insert`);
  const created = inserted.rowCount === 1;
  const same =
    account.type === input.type && canonicalJson(account.metadata) === canonicalJson(metadata);
  if (!created && !same) throw new AccountConflictError(input.name);
  return { account, created };
}

/** The account and its balances (sorted by currency), or undefined. */
export async function getAccount(pool: Queryable, name: string): Promise<Account | undefined> {
  const result = await pool.query<{
    name: string;
    type: AccountType;
    metadata: Record<string, unknown>;
    created_at: Date;
    balances: { currency: string; amount: string }[];
  }>(
    `SELECT a.name, a.type, a.metadata, a.created_at,
            coalesce(json_agg(json_build_object('currency', b.currency, 'amount', b.amount::text)
                              ORDER BY b.currency) FILTER (WHERE b.currency IS NOT NULL), '[]') AS balances
       FROM accounts a LEFT JOIN balances b ON b.account = a.name
      WHERE a.name = $1
      GROUP BY a.name`,
    [name],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    name: row.name,
    type: row.type,
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
    balances: row.balances,
  };
}
