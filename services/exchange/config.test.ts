/** @module Unit tests for the exchange's own settings: the invariant check interval. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, loadConfig } from "../kit/config";
import { exchangeConfigSchema } from "./config";

const good = {
  PORT: "8080",
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  REDIS_URL: "redis://127.0.0.1:6379",
  KAFKA_BROKERS: "127.0.0.1:9092",
  ADMIN_TOKEN: "0123456789abcdef",
  AUTH_ISSUER: "https://issuer.example",
  AUTH_AUDIENCE: "exchange",
  AUTH_JWKS: "https://issuer.example/jwks.json",
};

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, exchangeConfigSchema);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

test("the invariants are checked every 30 s unless EXCHANGE_INVARIANT_CHECK_MS says otherwise", () => {
  assert.is(loadConfig(good, exchangeConfigSchema).EXCHANGE_INVARIANT_CHECK_MS, 30_000);
  const fast = loadConfig({ ...good, EXCHANGE_INVARIANT_CHECK_MS: "2000" }, exchangeConfigSchema);
  assert.is(fast.EXCHANGE_INVARIANT_CHECK_MS, 2000);
});

test("a bad EXCHANGE_INVARIANT_CHECK_MS is one line naming it", () => {
  for (const bad of ["soon", "1500.5", "10"]) {
    const error = errorFor({ ...good, EXCHANGE_INVARIANT_CHECK_MS: bad });
    assert.is(error.variable, "EXCHANGE_INVARIANT_CHECK_MS", bad);
    assert.ok(error.message.startsWith("EXCHANGE_INVARIANT_CHECK_MS: "), error.message);
    assert.not.ok(error.message.includes("\n"), error.message);
  }
  assert.match(
    errorFor({ ...good, EXCHANGE_INVARIANT_CHECK_MS: "10" }).message,
    "expected at least 1000",
  );
});

test.run();
