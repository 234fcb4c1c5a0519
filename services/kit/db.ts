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

/** Callbacks to run once the transaction of a client has committed. */
const commitCallbacks = new WeakMap<Tx, Array<() => void>>();

/**
 * Run `callback` after the transaction `tx` (from {@link withTransaction}) commits; never when
 * it rolls back. For in-memory bookkeeping that must only believe what is durable.
 */
export function onCommit(tx: Tx, callback: () => void): void {
  const callbacks = commitCallbacks.get(tx);
  if (callbacks === undefined) throw new Error("onCommit needs a transaction from withTransaction");
  callbacks.push(callback);
}

/**
 * Run `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws.
 *
 * @example await withTransaction(pool, async (tx) => { await tx.query(...); await enqueueEvent(tx, ...); });
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
  const callbacks: Array<() => void> = [];
  commitCallbacks.set(client, callbacks);
  let result: T;
  try {
    await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation}` : "BEGIN");
    result = await fn(client);
    await client.query("COMMIT");
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    commitCallbacks.delete(client);
    // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
    client.release(broken);
  }
  for (const callback of callbacks) callback();
  return result;
}
