/**
 * @module `withTransaction` and the writes it sends before COMMIT, against real PostgreSQL:
 * queued outbox events exist exactly when the transaction commits, in the order queued;
 * nothing queued in a rolled-back transaction survives or leaks into the pooled client's next
 * one; after-commit callbacks run only after a commit.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createPool,
  enqueueEvent,
  migrate,
  onCommit,
  type Pool,
  withTransaction,
} from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { rejects } from "./rejects";

let postgres: PostgresServer;
let pool: Pool;

test.before(async () => {
  postgres = await startPostgres();
  // One connection: every transaction below runs on the same pooled client.
  pool = createPool(await postgres.createDatabase(), undefined, { max: 1 });
  await migrate(pool, "transactions");
});

test.after(async () => {
  await pool?.end();
  await postgres?.stop();
});

async function outboxKeys(topic: string): Promise<string[]> {
  const result = await pool.query<{ key: string }>(
    "SELECT key FROM outbox WHERE topic = $1 ORDER BY id",
    [topic],
  );
  return result.rows.map((row) => row.key);
}

test("queued events are written at commit, in the order they were queued", async () => {
  const ids = await withTransaction(pool, async (tx) => {
    const queued = [1, 2, 3].map((index) => enqueueEvent(tx, "t.order", `k${index}`, { index }));
    // Queued, not yet written: the rows appear with the transaction's last statements.
    const before = await tx.query("SELECT count(*)::int AS n FROM outbox WHERE topic = 't.order'");
    assert.is(before.rows[0].n, 0);
    return queued;
  });
  assert.equal(await outboxKeys("t.order"), ["k1", "k2", "k3"]);
  const stored = await pool.query<{ event_id: string }>(
    "SELECT event_id FROM outbox WHERE topic = 't.order' ORDER BY id",
  );
  assert.equal(
    stored.rows.map((row) => row.event_id),
    ids,
    "the id returned at queue time is the row's",
  );
});

test("a rolled-back transaction writes none of its events and leaves nothing for the next one", async () => {
  let committed = false;
  await rejects(
    () =>
      withTransaction(pool, async (tx) => {
        enqueueEvent(tx, "t.rollback", "lost", {});
        onCommit(tx, () => {
          committed = true;
        });
        throw new Error("the change failed");
      }),
    /the change failed/,
  );
  assert.is(committed, false, "after-commit callbacks never run on rollback");
  // The same client, next transaction: only its own event is written.
  await withTransaction(pool, async (tx) => {
    enqueueEvent(tx, "t.rollback", "kept", {});
    onCommit(tx, () => {
      committed = true;
    });
  });
  assert.is(committed, true);
  assert.equal(await outboxKeys("t.rollback"), ["kept"]);
});

test("a null payload is stored as JSON null, headers as given", async () => {
  await withTransaction(pool, async (tx) => {
    enqueueEvent(tx, "t.null", "n", null, { type: "nothing" });
  });
  const row = await pool.query(
    "SELECT payload, headers, jsonb_typeof(payload) AS kind FROM outbox WHERE topic = 't.null'",
  );
  assert.is(row.rows[0].kind, "null");
  assert.equal(row.rows[0].headers, { type: "nothing" });
});

test("queuing outside withTransaction is refused, naming the function", async () => {
  const client = await pool.connect();
  try {
    assert.throws(() => enqueueEvent(client, "t.loose", "k", {}), /withTransaction/);
  } finally {
    client.release();
  }
});

test.run();
