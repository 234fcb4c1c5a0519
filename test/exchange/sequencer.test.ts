/**
 * @module The sequencer on real PostgreSQL: a process leading BTC-USD is killed mid-stream and
 * another takes the lease, rebuilds the same book from the log and carries on with the next
 * seq, with no accepted order lost and no trade doubled; a stale leader's append is refused
 * with FENCING_TOKEN and counted; two writers of one seq are caught and counted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pool } from "../../services/kit/db";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { eventually } from "./eventually";
import { migratedPool, testSequencer } from "./sequencer-fixture";

const root = join(import.meta.dirname, "..", "..");

let postgres: PostgresServer;

test.before(async () => {
  postgres = await startPostgres();
});

test.after(async () => {
  await postgres?.stop();
});

/** The book as the log's BookChanged events leave it: level totals, best first. */
async function bookFromEvents(pool: Pool) {
  const rows = await pool.query<{ side: string; price: string; quantity: string }>(
    `SELECT DISTINCT ON (payload->>'side', payload->>'price')
       payload->>'side' AS side, payload->>'price' AS price, payload->>'quantity' AS quantity
     FROM exchange_engine_log WHERE symbol = 'BTC-USD' AND kind = 'BookChanged'
     ORDER BY payload->>'side', payload->>'price', seq DESC`,
  );
  const levels = rows.rows.filter((row) => row.quantity !== "0");
  const side = (name: string, descending: boolean) =>
    levels
      .filter((row) => row.side === name)
      .map((row) => ({ price: BigInt(row.price), quantity: BigInt(row.quantity) }))
      .sort((a, b) => (a.price < b.price ? 1 : -1) * (descending ? 1 : -1));
  return { bids: side("buy", true), asks: side("sell", false) };
}

function killMidStream(url: string, acksWanted: number): Promise<Set<number>> {
  // Node itself with tsx as a loader (not the tsx CLI, whose child would outlive a SIGKILL).
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "sequencer-child.ts")],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        DATABASE_URL: url,
        SEQUENCER_LOG_LEVEL: "warn",
      },
    },
  );
  const acked = new Set<number>();
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") {
        if (stderr) console.error(stderr);
        resolve(acked);
      } else reject(new Error(`the child ended on its own (${code}): ${stderr}`));
    });
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const match = /^acked (\d+)$/.exec(line);
        if (match) acked.add(Number(match[1]));
      }
      if (acked.size >= acksWanted) child.kill("SIGKILL");
    });
  });
}

test("a sequencer killed mid-stream is rebuilt from its log with the same book", async () => {
  const url = await postgres.createDatabase();
  const pool = await migratedPool(url);
  try {
    const acked = await killMidStream(url, 1500);
    const logged = await pool.query<{
      orders: string[];
      count: string;
      max: string;
      trades: string;
      distinct_trades: string;
    }>(
      `SELECT array_agg(payload->'order'->>'orderId') FILTER (WHERE kind = 'command:place') AS orders,
              count(*)::text AS count, max(seq)::text AS max,
              count(*) FILTER (WHERE kind = 'TradeExecuted')::text AS trades,
              count(DISTINCT (payload->'buyer'->>'orderId', payload->'seller'->>'orderId', seq))
                FILTER (WHERE kind = 'TradeExecuted')::text AS distinct_trades
       FROM exchange_engine_log WHERE symbol = 'BTC-USD'`,
    );
    const row = logged.rows[0]!;
    assert.is(row.count, row.max, "seq is gap-free");
    assert.is(row.trades, row.distinct_trades, "no trade is logged twice");
    assert.ok(Number(row.trades) > 0, "the stream traded");
    const loggedOrders = new Set(row.orders);
    const { orderStream } = await import("../bench/exchange-matching");
    const steps = orderStream(Math.max(...acked) + 1, 7);
    const missing = [...acked].filter((index) => {
      const step = steps[index]!;
      return "order" in step && !loggedOrders.has(step.order.orderId);
    });
    assert.equal(
      missing,
      [],
      `acked orders missing from the log (of ${acked.size}, max seq ${row.max})`,
    );

    const { sequencer } = testSequencer(pool, "survivor");
    await eventually("the survivor to lead once the killed lease expires", async () => {
      await sequencer.maintainLease();
      return sequencer.isLeader() || undefined;
    });
    const rebuilt = sequencer.engine()!.depth();
    const strip = (levels: { price: bigint; quantity: bigint }[]) =>
      levels.map(({ price, quantity }) => ({ price, quantity }));
    assert.equal(
      { bids: strip(rebuilt.bids), asks: strip(rebuilt.asks) },
      await bookFromEvents(pool),
    );
    assert.ok(rebuilt.bids.length + rebuilt.asks.length > 0, "the book has orders");

    const next = await sequencer.submit({
      type: "place",
      order: {
        orderId: "after-crash",
        trader: "t",
        side: "buy",
        type: "limit",
        price: 1_000n,
        quantity: 100_000n,
      },
    });
    assert.is(next.seq, BigInt(row.max) + 1n);
    assert.is(next.fencingToken, 2n);
    await sequencer.stop();
  } finally {
    await pool.end();
  }
});

test("a stale leader's append is refused with FENCING_TOKEN and counted", async () => {
  const pool = await migratedPool(await postgres.createDatabase());
  try {
    const stale = testSequencer(pool, "a", { leaseTtlMs: 300 });
    await stale.sequencer.maintainLease();
    assert.ok(stale.sequencer.isLeader());
    await stale.sequencer.submit({ type: "cancel", orderId: "nothing" });
    // "a" stops renewing (a long pause); "b" takes over once the lease expired.
    const fresh = testSequencer(pool, "b");
    await eventually("b to take over", async () => {
      await fresh.sequencer.maintainLease();
      return fresh.sequencer.isLeader() || undefined;
    });
    const refused = await stale.sequencer.submit({ type: "cancel", orderId: "late" }).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.match(String(refused?.message), /FENCING_TOKEN/);
    assert.is((await stale.metrics.fencingRejections.get()).values[0]?.value, 1);
    assert.not.ok(stale.sequencer.isLeader());
    const tokens = await pool.query(
      "SELECT DISTINCT fencing_token::int AS token FROM exchange_engine_log ORDER BY 1",
    );
    assert.equal(tokens.rows, [{ token: 1 }]);
    const next = await fresh.sequencer.submit({ type: "cancel", orderId: "fresh" });
    assert.is(next.seq, 3n);
  } finally {
    await pool.end();
  }
});

test("two writers of one seq under one token are caught and counted as a duplicate seq", async () => {
  const pool = await migratedPool(await postgres.createDatabase());
  try {
    // Two replicas started with the same REPLICA_ID share one lease and one token.
    const first = testSequencer(pool, "same");
    const second = testSequencer(pool, "same");
    await first.sequencer.maintainLease();
    await second.sequencer.maintainLease();
    await first.sequencer.submit({ type: "cancel", orderId: "x" });
    const refused = await second.sequencer.submit({ type: "cancel", orderId: "y" }).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.ok(refused, "the second writer's append is refused");
    assert.is((await second.metrics.duplicateSeq.get()).values[0]?.value, 1);
    const count = await pool.query("SELECT count(*)::int AS rows FROM exchange_engine_log");
    assert.equal(count.rows, [{ rows: 2 }]);
  } finally {
    await pool.end();
  }
});

test.run();
