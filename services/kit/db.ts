/** @module The PostgreSQL pool and the transaction helper every write goes through. */
import pg from "pg";
import type { Logger } from "./logger";

export type Pool = pg.Pool;
/** A client inside a transaction; pass it to `enqueueEvent`, `appendAudit` and your own queries. */
export type Tx = pg.PoolClient;

/** A pool whose idle-client errors are logged instead of crashing the process. */
export function createPool(
  connectionString: string,
  logger?: Logger,
  options: pg.PoolConfig = {},
): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    ...options,
  });
  pool.on("error", (error) => logger?.warn({ err: error }, "idle postgres client failed"));
  return pool;
}

/**
 * Check a client out of the pool with an error listener attached: pg emits `error` on a
 * checked-out client whose connection drops between queries, and with no listener that
 * would crash the process. The next query on it fails instead; release it with that error.
 */
export async function checkout(
  pool: Pool,
): Promise<{ client: Tx; failure: () => Error | undefined }> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure = error;
  };
  client.on("error", onError);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.removeListener("error", onError);
    return release(error ?? failure);
  };
  return { client, failure: () => failure };
}

export interface TransactionOptions {
  readonly isolation?: "read committed" | "repeatable read" | "serializable";
  /** Retries after a serialization failure or deadlock (40001, 40P01). @default 0 */
  readonly retries?: number;
}

const retryableCodes = new Set(["40001", "40P01"]);

/** What a transaction run by {@link withTransaction} carries besides its client; dropped with it. */
interface TransactionContext {
  /** Run, in order, once the transaction committed. */
  readonly afterCommit: Array<() => void>;
  /** Run, in order, as the transaction's last statements before COMMIT. */
  readonly beforeCommit: Array<() => Promise<void>>;
  /** State that lives exactly as long as the transaction, by owner. */
  readonly state: Map<symbol, unknown>;
}

/** The context of the transaction each client is in (a pooled client serves many in turn). */
const transactions = new WeakMap<Tx, TransactionContext>();

function contextOf(tx: Tx, caller: string): TransactionContext {
  const context = transactions.get(tx);
  if (context === undefined) throw new Error(`${caller} needs a transaction from withTransaction`);
  return context;
}

/**
 * Run `callback` after the transaction `tx` (from {@link withTransaction}) commits; never when
 * it rolls back. For in-memory bookkeeping that must only believe what is durable.
 */
export function onCommit(tx: Tx, callback: () => void): void {
  contextOf(tx, "onCommit").afterCommit.push(callback);
}

/**
 * Run `write` as the last statements of `tx` before COMMIT; if it throws, the transaction
 * rolls back and {@link withTransaction} throws that error. For writes that are cheaper sent
 * together at the end (see `commit-writes.ts`).
 */
export function beforeCommit(tx: Tx, write: () => Promise<void>): void {
  contextOf(tx, "beforeCommit").beforeCommit.push(write);
}

/**
 * The value `owner` keeps for the transaction `tx`, made by `init` on first use and gone when
 * the transaction ends (commit or rollback), so nothing leaks into the client's next one.
 */
export function transactionState<T>(tx: Tx, owner: symbol, init: () => T): T {
  const { state } = contextOf(tx, "transactionState");
  if (!state.has(owner)) state.set(owner, init());
  return state.get(owner) as T;
}

/**
 * Run `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws.
 *
 * @example await withTransaction(pool, async (tx) => { await tx.query(...); enqueueEvent(tx, ...); });
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await runOnce(pool, fn, options.isolation);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= retries || code === undefined || !retryableCodes.has(code)) throw error;
    }
  }
}

async function runOnce<T>(
  pool: Pool,
  fn: (tx: Tx) => Promise<T>,
  isolation: TransactionOptions["isolation"],
): Promise<T> {
  const { client } = await checkout(pool);
  let broken: Error | undefined;
  const context: TransactionContext = { afterCommit: [], beforeCommit: [], state: new Map() };
  transactions.set(client, context);
  let result: T;
  try {
    await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation}` : "BEGIN");
    result = await fn(client);
    for (const write of context.beforeCommit) await write();
    await client.query("COMMIT");
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    transactions.delete(client);
    // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
    client.release(broken);
  }
  for (const callback of context.afterCommit) callback();
  return result;
}
