/** @module Unit tests for which Redis a replica picks (the switch itself is tested in test/kit). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Control } from "./controls-store";
import { redisFailoverControl } from "./redis-router";

const nowMs = Date.parse("2026-11-29T12:00:00Z");

function failover(services: string[], expiresAt: string | null = null, kind = "RedisFailover") {
  return {
    id: `redisfailover.ops.${services.join("-")}`,
    kind,
    spec: { services },
    source: {},
    reason: "the primary Redis is down",
    ticket: "INC-1",
    actor: "alice",
    expiresAt,
    version: 1,
    updatedAt: "2026-11-29T11:00:00.000Z",
  } satisfies Control;
}

test("a RedisFailover that names the service moves it; one for other services does not", () => {
  const named = failover(["payments", "purchasing"]);
  assert.is(redisFailoverControl([named], "purchasing", nowMs), named);
  assert.is(redisFailoverControl([failover(["exchange"])], "purchasing", nowMs), undefined);
});

test("an expired RedisFailover returns the service to the primary", () => {
  const expired = failover(["payments"], "2026-11-29T11:59:59Z");
  const ahead = failover(["payments"], "2026-11-29T12:00:01Z");
  assert.is(redisFailoverControl([expired], "payments", nowMs), undefined);
  assert.is(redisFailoverControl([ahead], "payments", nowMs), ahead);
});

test("another kind naming the service does not move it", () => {
  assert.is(
    redisFailoverControl([failover(["payments"], null, "ReadOnlyMode")], "payments", nowMs),
    undefined,
  );
});

test.run();
