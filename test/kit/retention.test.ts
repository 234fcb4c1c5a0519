/** @module Retention of the kit's tables against real PostgreSQL: old bookkeeping goes, live work stays. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPool, migrate, type Pool, pruneKitTables } from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";

let postgres: PostgresServer;
let pool: Pool;

test.before(async () => {
  postgres = await startPostgres();
  pool = createPool(await postgres.createDatabase());
  await migrate(pool, "retentiontest");
});

test.after(async () => {
  await pool?.end();
  await postgres?.stop();
});

test("old published events, completed keys and marks go; pending and in-progress ones stay", async () => {
  await pool.query(`INSERT INTO outbox (event_id, topic, key, payload, published_at, created_at) VALUES
    (gen_random_uuid(), 't', 'k', '{}', now() - interval '8 days', now() - interval '8 days'),
    (gen_random_uuid(), 't', 'k', '{}', now() - interval '1 day', now() - interval '1 day'),
    (gen_random_uuid(), 't', 'k', '{}', NULL, now() - interval '30 days')`);
  await pool.query(`INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, completed_at) VALUES
    ('s', 'old', 'h', 'completed', now(), now() - interval '25 hours'),
    ('s', 'new', 'h', 'completed', now(), now() - interval '1 hour'),
    ('s', 'running', 'h', 'in_progress', now() + interval '1 minute', NULL),
    ('s', 'abandoned', 'h', 'in_progress', now() - interval '2 days', NULL)`);
  await pool.query(`INSERT INTO processed_messages (consumer, event_id, processed_at) VALUES
    ('c', 'old', now() - interval '8 days'), ('c', 'new', now())`);
  const removed = await pruneKitTables(pool);
  assert.equal(removed, { outbox: 1, idempotencyKeys: 2, processedMessages: 1 });
  const pending = await pool.query(
    "SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL",
  );
  assert.is(pending.rows[0].n, 1);
  const keys = await pool.query("SELECT key FROM idempotency_keys ORDER BY key");
  assert.equal(
    keys.rows.map((row) => row.key),
    ["new", "running"],
  );
});

test.run();
