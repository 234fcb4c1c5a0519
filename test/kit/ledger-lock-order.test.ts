/**
 * @module The ledger's lock order under concurrency, on a real PostgreSQL: two postings
 * through a busy balance while the other balance they touch is being created. Locking the
 * present row before creating the missing one took the rows out of order, and this exact
 * interleaving deadlocked (PostgreSQL aborted one posting with 40P01, as purchases through
 * `platform:purchases:reserved` were aborted when `platform:providers:settlement` got its
 * first row). Every step waits for a state PostgreSQL reports (a backend waiting on a lock),
 * never for time.
 */

import type { PoolClient } from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPool, type Pool, withTransaction } from "../../services/kit/db";
import { getAccount } from "../../services/kit/ledger/accounts";
import { postTransaction } from "../../services/kit/ledger/ledger";
import { migrate } from "../../services/kit/migrations";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { waitUntil } from "../harness/process";

/** Sorts first, and has no USD balance row yet (a first capture's settlement account). */
const created = "platform:providers:settlement";
/** Sorts second and is busy (the reserved funds every purchase posts through). */
const busy = "platform:purchases:reserved";

let postgres: PostgresServer;
let pool: Pool;

test.before(async () => {
  postgres = await startPostgres();
  pool = createPool(await postgres.createDatabase(), undefined, { max: 10 });
  await migrate(pool, "ledger-lock-order", undefined, { ledger: true });
  // External accounts may go below zero, so the test needs no funding postings.
  for (const name of [created, busy]) {
    await pool.query("INSERT INTO accounts (name, type) VALUES ($1, 'external')", [name]);
  }
  await pool.query(
    "INSERT INTO balances (account, currency, allow_negative) VALUES ($1, 'USD', true)",
    [busy],
  );
});

test.after(async () => {
  await pool?.end();
  await postgres?.stop();
});

async function pidOf(client: PoolClient | { query: PoolClient["query"] }): Promise<number> {
  return (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
}

/** Wait until backend `pid` waits on a lock (a row, or another transaction's insert). */
async function waitingOnLock(what: string, pid: () => number | undefined): Promise<void> {
  await waitUntil(
    `${what} waiting on a lock`,
    async () => {
      const current = pid();
      if (current === undefined) return false;
      const result = await pool.query<{ wait: string | null }>(
        "SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1",
        [current],
      );
      return result.rows[0]?.wait === "Lock";
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
}

/** A posting in its own transaction that reports its backend pid before it posts. */
function posting(reference: string, source: string, target: string, amount: bigint) {
  let pid: number | undefined;
  const done = withTransaction(pool, async (tx) => {
    pid = await pidOf(tx);
    return postTransaction(tx, {
      kind: "test",
      reference,
      postings: [{ source, target, amount, currency: "USD" }],
    });
  });
  return { done, pid: () => pid };
}

test("two postings through a busy balance while the other is created both commit", async () => {
  // A long transaction holds the busy balance.
  const holder = await pool.connect();
  await holder.query("BEGIN");
  await holder.query("SELECT 1 FROM balances WHERE account = $1 FOR UPDATE", [busy]);

  // First posting: queues behind the holder for the busy balance.
  const first = posting("first", created, busy, 1n);
  await waitingOnLock("the first posting", first.pid);

  // Meanwhile the created account gets its USD row (another transaction's first posting).
  const creator = await pool.connect();
  const creatorPid = await pidOf(creator);
  let creatorDone = false;
  const creation = creator
    .query(
      "INSERT INTO balances (account, currency, allow_negative) VALUES ($1, 'USD', true) ON CONFLICT DO NOTHING",
      [created],
    )
    .finally(() => {
      creatorDone = true;
    });
  await waitUntil(
    "the balance row created, or its creation waiting on the first posting",
    async () =>
      creatorDone ||
      (
        await pool.query<{ wait: string | null }>(
          "SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1",
          [creatorPid],
        )
      ).rows[0]?.wait === "Lock",
    { timeoutMs: 60_000, intervalMs: 20 },
  );

  // Second posting, the other way: it also ends up waiting.
  const second = posting("second", busy, created, 2n);
  await waitingOnLock("the second posting", second.pid);

  await holder.query("COMMIT");
  holder.release();
  const results = await Promise.allSettled([first.done, second.done, creation]);
  creator.release();
  const refused = results.flatMap((result) =>
    result.status === "rejected" ? [`${(result.reason as Error).message}`] : [],
  );
  assert.equal(refused, []);
  const balances = await Promise.all(
    [created, busy].map(async (name) => (await getAccount(pool, name))?.balances[0]?.amount),
  );
  assert.equal(balances, ["1", "-1"]);
});

test.run();
