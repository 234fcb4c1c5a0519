/**
 * @module Routing and circuit breakers against real providers: purchases go to the best
 * provider and are captured; a provider failing every call opens its breaker (the runbook's
 * `Circuit OPEN for <provider>` log line and `provider_circuit_state`), traffic fails over
 * without reaching it, and 15 s later a trial goes through and closes the breaker. A
 * decline (4xx) fails over too but never opens a breaker.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { waitUntil } from "../harness/process";
import {
  asUser,
  fundWallet,
  metricValue,
  type PurchasingFixture,
  purchase,
  startPurchasingFixture,
  usdBalance,
} from "./purchasing-fixture";

let fixture: PurchasingFixture;
let user: Record<string, string>;

test.before(async () => {
  fixture = await startPurchasingFixture();
  user = await asUser(fixture.issuer, "ann");
  await fundWallet(fixture.replicas[0]!.url, "ann", 1_000_000n);
});

test.after(async () => {
  await fixture?.stop();
});

test("a purchase goes to the best provider and moves the money once", async () => {
  const url = fixture.replicas[0]!.url;
  const before = await usdBalance(url, "users:ann:wallet");
  const answer = await purchase(url, user, "ann", 250n);
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.is(answer.body.status, "completed");
  assert.is(answer.body.provider, "a");
  assert.ok(fixture.providers.a.orders.has(answer.body.id));
  assert.is(await usdBalance(url, "users:ann:wallet"), before - 250n);
  assert.is(await usdBalance(url, "platform:purchases:reserved"), 0n);
  const counted = { provider: "a", result: "completed" };
  assert.is(
    await metricValue(url, "purchases_total", counted),
    1,
    "HighPurchaseFailureRate's input",
  );
});

test("a provider failing every call opens its breaker, traffic fails over, and a trial closes it after 15 s", async () => {
  const { a } = fixture.providers;
  const replica = fixture.replicas[0]!;
  a.setMode("error");
  for (let index = 0; index < 5; index += 1) {
    const answer = await purchase(replica.url, user, "ann", 10n);
    assert.is(answer.status, 201, JSON.stringify(answer.body));
    assert.is(answer.body.provider, "b", "failed over to the next provider");
    assert.equal(answer.body.attempts[0].provider, "a");
  }
  await waitUntil("the OPEN line in the replica's log", async () =>
    replica.log().includes("Circuit OPEN for a"),
  );
  const openedAt = Date.now();
  assert.is(await metricValue(replica.url, "provider_circuit_state", { provider: "a" }), 2);
  assert.is(
    await metricValue(replica.url, "provider_circuit_transitions_total", {
      provider: "a",
      state: "open",
    }),
    1,
  );
  const callsWhenOpened = a.orderRequests;
  for (let index = 0; index < 5; index += 1) {
    const answer = await purchase(replica.url, user, "ann", 10n);
    assert.is(answer.body.provider, "b");
    assert.is(answer.body.attempts[0].outcome, "rejected", "skipped without a call");
  }
  assert.is(a.orderRequests, callsWhenOpened, "no call reaches a provider whose breaker is open");

  a.setMode("complete");
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, 15_500 - (Date.now() - openedAt))),
  );
  const trial = await purchase(replica.url, user, "ann", 10n);
  assert.is(trial.status, 201);
  assert.is(trial.body.provider, "a", "the trial went to a");
  await waitUntil("HALF-OPEN then CLOSED in the log", async () => {
    const log = replica.log();
    return log.includes("Circuit HALF-OPEN for a") && log.includes("Circuit CLOSED for a");
  });
  assert.is(await metricValue(replica.url, "provider_circuit_state", { provider: "a" }), 0);
});

test("429 opens a breaker like a 5xx; a decline (4xx) fails over but never does", async () => {
  const { b, c } = fixture.providers;
  const replica = fixture.replicas[0]!;
  fixture.providers.a.setMode("decline");
  for (let index = 0; index < 8; index += 1) {
    const answer = await purchase(replica.url, user, "ann", 10n);
    assert.is(answer.body.provider, "b");
  }
  assert.is(await metricValue(replica.url, "provider_circuit_state", { provider: "a" }), 0);
  b.setMode("rate-limit");
  for (let index = 0; index < 5; index += 1) {
    const answer = await purchase(replica.url, user, "ann", 10n);
    assert.is(answer.body.provider, "c");
  }
  await waitUntil("b's breaker opens on 429s", async () =>
    replica.log().includes("Circuit OPEN for b"),
  );
  c.setMode("error");
  const before = await usdBalance(replica.url, "users:ann:wallet");
  const failed = await purchase(replica.url, user, "ann", 10n);
  assert.is(failed.status, 502);
  assert.match(failed.body.type, /purchases\/failed$/);
  assert.is(await usdBalance(replica.url, "users:ann:wallet"), before, "funds released");
  for (const provider of [fixture.providers.a, b, c]) provider.setMode("complete");
});

test.run();
