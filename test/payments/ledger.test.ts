/**
 * @module The ledger against a real PostgreSQL: postings, the funds check under row locks,
 * and the database's own guards (balanced transactions, immutable entries) that hold even
 * when code is bypassed.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPool, type Pool, withTransaction } from "../../services/kit/db";
import { createAccount, getAccount } from "../../services/kit/ledger/accounts";
import {
  AccountNotFoundError,
  DuplicateReferenceError,
  ExternalAccountError,
  InsufficientFundsError,
  postTransaction,
} from "../../services/kit/ledger/ledger";
import { migrate } from "../../services/kit/migrations";
import { startPostgres } from "../harness/postgres";
import { caught } from "./caught";

const migrations = join(import.meta.dirname, "../../services/payments/migrations");
let pool: Pool;

test.before(async () => {
  const postgres = await startPostgres();
  pool = createPool(await postgres.createDatabase(), undefined, { max: 20 });
  await migrate(pool, "payments", migrations, { ledger: true });
  for (const name of ["users:1:wallet", "users:2:wallet", "users:3:wallet"]) {
    await createAccount(pool, { name, type: "user" });
  }
});

test.after(async () => {
  await pool?.end();
});

const clearing = "platform:psp:clearing";

function post(
  reference: string,
  source: string,
  target: string,
  amount: bigint,
  internalOnly = false,
) {
  return withTransaction(pool, (tx) =>
    postTransaction(tx, {
      kind: "test",
      reference,
      postings: [{ source, target, amount, currency: "USD" }],
      externalAllowed: internalOnly ? [] : undefined,
    }),
  );
}

async function balance(account: string, currency = "USD"): Promise<string | undefined> {
  return (await getAccount(pool, account))?.balances.find((item) => item.currency === currency)
    ?.amount;
}

test("a deposit from the external clearing account funds a wallet; balances follow", async () => {
  await post("fund-1", clearing, "users:1:wallet", 1000n);
  assert.is(await balance("users:1:wallet"), "1000");
  assert.is(await balance(clearing), "-1000");
  await post("move-1", "users:1:wallet", "users:2:wallet", 400n, true);
  assert.is(await balance("users:1:wallet"), "600");
  assert.is(await balance("users:2:wallet"), "400");
});

test("a wallet cannot go below zero; nothing is written when it would", async () => {
  {
    const error = await caught(post("over-1", "users:2:wallet", "users:3:wallet", 401n));
    assert.ok(
      error instanceof InsufficientFundsError &&
        error.available === 400n &&
        error.requested === 401n,
      error.message,
    );
  }
  assert.is(await balance("users:2:wallet"), "400");
  const count = await pool.query(
    "SELECT count(*)::int AS n FROM ledger_transactions WHERE reference = 'over-1'",
  );
  assert.is(count.rows[0].n, 0);
});

test("unknown accounts, external accounts in transfers, and reused references are refused", async () => {
  {
    const error = await caught(post("ghost-1", "users:1:wallet", "users:9:wallet", 1n));
    assert.ok(
      error instanceof AccountNotFoundError && error.account === "users:9:wallet",
      error.message,
    );
  }
  {
    const error = await caught(post("ext-1", "users:1:wallet", clearing, 1n, true));
    assert.ok(error instanceof ExternalAccountError, error.message);
  }
  {
    const error = await caught(post("move-1", "users:1:wallet", "users:2:wallet", 1n));
    assert.ok(error instanceof DuplicateReferenceError, error.message);
  }
});

test("the database refuses an unbalanced transaction at commit, whoever writes it", async () => {
  const error = await caught(
    withTransaction(pool, async (tx) => {
      const created = await tx.query(
        "INSERT INTO ledger_transactions (kind, reference) VALUES ('test', 'raw-1') RETURNING id",
      );
      await tx.query(
        "INSERT INTO ledger_entries (transaction_id, account, currency, amount) VALUES ($1, 'users:1:wallet', 'USD', 5)",
        [created.rows[0].id],
      );
    }),
  );
  assert.match(error.message, /does not balance in USD/);
});

test("entries and transactions cannot be updated, deleted or truncated", async () => {
  for (const statement of [
    "UPDATE ledger_entries SET amount = amount * 2",
    "DELETE FROM ledger_entries",
    "TRUNCATE ledger_entries CASCADE",
    "UPDATE ledger_transactions SET kind = 'x'",
    "DELETE FROM ledger_transactions",
  ]) {
    assert.match((await caught(pool.query(statement), statement)).message, /append-only/);
  }
});

test("concurrent postings in opposite directions neither deadlock nor lose money", async () => {
  await post("fund-2", clearing, "users:2:wallet", 10_000n);
  await post("fund-3", clearing, "users:3:wallet", 10_000n);
  const moves = Array.from({ length: 60 }, (_, index) =>
    index % 2 === 0
      ? post(`race-${index}`, "users:2:wallet", "users:3:wallet", 7n, true)
      : post(`race-${index}`, "users:3:wallet", "users:2:wallet", 5n, true),
  );
  await Promise.all(moves);
  assert.is(await balance("users:2:wallet"), String(10_400 - 30 * 7 + 30 * 5));
  assert.is(await balance("users:3:wallet"), String(10_000 + 30 * 7 - 30 * 5));
  const sums = await pool.query(
    "SELECT currency, sum(amount)::text AS total FROM ledger_entries GROUP BY currency",
  );
  assert.equal(sums.rows, [{ currency: "USD", total: "0" }]);
});

test.run();
