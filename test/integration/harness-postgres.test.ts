/** @module Proof that the harness's PostgreSQL is real: transactions seen across connections, and a restart keeps the data. */
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type PostgresServer, startPostgres } from "../harness/postgres";

let server: PostgresServer;

test.before(async () => {
  server = await startPostgres();
});

test.after(async () => {
  await server?.stop();
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

test("a committed transaction is visible to another connection, a rolled-back one is not", async () => {
  const url = await server.createDatabase();
  const writer = await connect(url);
  const reader = await connect(url);
  try {
    await writer.query("create table ledger (id serial primary key, amount_minor bigint not null)");

    await writer.query("begin");
    await writer.query("insert into ledger (amount_minor) values (1500)");
    const during = await reader.query("select count(*)::int as n from ledger");
    assert.is(during.rows[0].n, 0, "an open transaction's row is invisible to others");
    await writer.query("commit");
    const afterCommit = await reader.query("select amount_minor from ledger");
    assert.equal(afterCommit.rows, [{ amount_minor: "1500" }]);

    await writer.query("begin");
    await writer.query("insert into ledger (amount_minor) values (99)");
    const inside = await writer.query("select count(*)::int as n from ledger");
    assert.is(inside.rows[0].n, 2, "the transaction sees its own row");
    await writer.query("rollback");
    const afterRollback = await reader.query("select count(*)::int as n from ledger");
    assert.is(afterRollback.rows[0].n, 1);
  } finally {
    await writer.end();
    await reader.end();
  }
});

test("createDatabase gives separate databases", async () => {
  const first = await server.createDatabase();
  const second = await server.createDatabase("harness_second");
  assert.ok(second.endsWith("/harness_second"));
  const a = await connect(first);
  const b = await connect(second);
  try {
    await a.query("create table only_in_first (x int)");
    const found = await b.query("select to_regclass('only_in_first') as t");
    assert.is(found.rows[0].t, null);
  } finally {
    await a.end();
    await b.end();
  }
});

test("stop() then start() serves the same data on the same port", async () => {
  const url = await server.createDatabase();
  const before = await connect(url);
  await before.query("create table kept (note text)");
  await before.query("insert into kept values ('survives a restart')");
  await before.end();

  await server.stop();
  const refused = await connect(url).then(
    async (client) => {
      await client.end();
      return false;
    },
    () => true,
  );
  assert.ok(refused, "a stopped server refuses connections");

  await server.start();
  const after = await connect(url);
  try {
    const rows = await after.query("select note from kept");
    assert.equal(rows.rows, [{ note: "survives a restart" }]);
  } finally {
    await after.end();
  }
});

test.run();
