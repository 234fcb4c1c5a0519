/**
 * @module 200 sales at once on two escrow replicas with failures injected — payments that do
 * not match the price, webhooks delivered twice at the same moment, a super admin releasing
 * and refunding the same transaction at once, transfers the provider fails, answers 500 to
 * or leaves pending — then the books: every ledger transaction sums to zero, every balance
 * equals its entries, the hold equals the transactions still held, payouts in flight equal
 * the open payouts, nothing is negative, and the audit chain is intact.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { verifyAudit } from "../../services/kit/audit";
import {
  balance,
  call,
  type EscrowFixture,
  type EscrowReplica,
  eventually,
  saleSteps,
  startEscrowFixture,
} from "./escrow-fixture";

let fixture: EscrowFixture;
let replicas: EscrowReplica[];

test.before(async () => {
  fixture = await startEscrowFixture();
  // 200 requests at once wait for a connection less than the pool's 5 s connect timeout.
  const env = { DATABASE_POOL_MAX: "40" };
  replicas = [await fixture.startReplica(env), await fixture.startReplica(env)];
  fixture.paystack.script("cc-seller-failed", "failed");
  fixture.paystack.script("cc-seller-error", "error");
  fixture.paystack.script("cc-seller-pending", "pending");
});

test.after(async () => {
  await fixture?.stop();
});

const sellers = ["cc-seller-ok", "cc-seller-failed", "cc-seller-error", "cc-seller-pending"];

/**
 * 503 means "retry later" (a busy database under 200 sales at once): the provider redelivers a
 * webhook it got no 2xx for, and a buyer's client retries, so the test does as they do.
 */
async function untilNot503<T extends { status: number }>(send: () => Promise<T>): Promise<T> {
  let answer = await send();
  for (let attempt = 1; answer.status === 503 && attempt < 8; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    answer = await send();
  }
  return answer;
}

async function oneSale(index: number): Promise<string> {
  const url = replicas[index % 2]!.url;
  const steps = saleSteps(fixture, url);
  const seller = sellers[index % sellers.length]!;
  const buyer = `cc-buyer${index}`;
  const amount = String(1000 + index);
  const listing = await steps.list(seller, amount);
  const opened = await steps.open(buyer, listing.id);
  if (index % 10 === 0) {
    // A payment short of the price: refused, nothing held.
    await steps.pay(opened, Number(amount) - 1);
    return "unpaid";
  }
  // The provider delivers the same webhook twice at once (replicas answer one each).
  const other = saleSteps(fixture, replicas[(index + 1) % 2]!.url);
  const [first, second] = await Promise.all([
    untilNot503(() => steps.pay(opened)),
    untilNot503(() => other.pay(opened)),
  ]);
  if (![first.status, second.status].every((status) => status === 200))
    throw new Error(`webhook ${first.status}/${second.status} ${JSON.stringify(first.body)}`);
  if (index % 5 === 1) {
    // Release and refund at the same moment: one wins, the other is refused or a repeat.
    const admin = await fixture.superAdmin("cc-admin");
    const reason = { reason: "stuck transaction resolved by on-call" };
    await Promise.all([
      call(url, "POST", `/api/v1/admin/transactions/${opened.id}/release`, reason, admin),
      call(url, "POST", `/api/v1/admin/transactions/${opened.id}/refund`, reason, admin),
    ]);
    return "raced";
  }
  if (index % 5 === 2) return "held";
  await steps.sign(buyer, opened.id);
  await steps.sign(seller, opened.id);
  const confirmed = await untilNot503(() => steps.confirm(buyer, opened.id));
  if (confirmed.status !== 200)
    throw new Error(`confirm ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return "released";
}

async function sumOf(sql: string, values: unknown[] = []): Promise<bigint> {
  const result = await fixture.pool.query<{ total: string | null }>(sql, values);
  return BigInt(result.rows[0]?.total ?? "0");
}

test("200 concurrent sales with injected failures leave the books balanced and the audit intact", async () => {
  const outcomes = await Promise.all(Array.from({ length: 200 }, (_, index) => oneSale(index)));
  assert.is(outcomes.filter((outcome) => outcome === "unpaid").length, 20);

  // Payouts settle, fail back to the wallet, or wait in manual review; none stays in flight.
  await eventually(
    "every payout sent once",
    async () =>
      (await sumOf(
        "SELECT count(*) AS total FROM escrow_payouts WHERE status IN ('queued', 'sending')",
      )) === 0n,
    120_000,
  );

  const unbalanced = await fixture.pool.query(
    "SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency HAVING sum(amount) <> 0",
  );
  assert.equal(unbalanced.rows, []);
  const drift = await fixture.pool.query(
    `SELECT b.account FROM balances b
       LEFT JOIN (SELECT account, currency, sum(amount) AS total FROM ledger_entries GROUP BY 1, 2) e
         ON e.account = b.account AND e.currency = b.currency
      WHERE b.amount <> coalesce(e.total, 0)`,
  );
  assert.equal(drift.rows, []);
  const negative = await fixture.pool.query(
    "SELECT account FROM balances WHERE amount < 0 AND NOT allow_negative",
  );
  assert.equal(negative.rows, []);

  const stillHeld = await sumOf(
    "SELECT sum(amount) AS total FROM transactions WHERE state IN ('funds_held', 'contract_signed', 'disputed')",
  );
  assert.is(await balance(fixture.pool, "platform:escrow:held"), stillHeld);
  const inFlight = await sumOf(
    "SELECT sum(amount) AS total FROM escrow_payouts WHERE status IN ('queued', 'sending', 'manual_review')",
  );
  assert.is(await balance(fixture.pool, "platform:escrow:payouts-in-flight"), inFlight);
  const paidIn = await sumOf(
    "SELECT sum(amount) AS total FROM transactions WHERE hold_transaction_id IS NOT NULL",
  );
  assert.is(
    -(await balance(fixture.pool, "platform:paystack:clearing")),
    paidIn -
      (await sumOf("SELECT sum(amount) AS total FROM escrow_payouts WHERE status = 'settled'")),
  );

  // Each raced transaction moved once; each payout was paid at most once by the provider.
  const doubled = await fixture.pool.query(
    `SELECT subject FROM audit_log WHERE action = 'transaction.transition'
        AND after->>'state' IN ('released', 'refunded') GROUP BY subject HAVING count(*) > 1`,
  );
  assert.equal(doubled.rows, []);
  const payouts = await fixture.pool.query<{ id: string }>("SELECT id FROM escrow_payouts");
  for (const payout of payouts.rows) assert.ok(fixture.paystack.executions(payout.id) <= 1);
  const audit = await verifyAudit(fixture.pool);
  assert.is(audit.ok, true, JSON.stringify(audit));
});

test.run();
