/** @module Unit tests for environment configuration. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { ConfigError, loadConfig } from "./config";

const good = {
  PORT: "8080",
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  REDIS_URL: "redis://127.0.0.1:6379",
  KAFKA_BROKERS: "127.0.0.1:9092, 127.0.0.2:9093",
  ADMIN_TOKEN: "0123456789abcdef",
};

function errorFor(env: Record<string, string | undefined>, schema?: z.ZodObject): ConfigError {
  try {
    loadConfig(env, schema);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

test("a good environment parses with defaults and types", () => {
  const config = loadConfig(good);
  assert.is(config.PORT, 8080);
  assert.equal(config.KAFKA_BROKERS, ["127.0.0.1:9092", "127.0.0.2:9093"]);
  assert.is(config.LOG_LEVEL, "info");
  assert.ok(config.REPLICA_ID.length > 0);
});

test("a bad PORT is one line naming the variable", () => {
  const error = errorFor({ ...good, PORT: "eighty" });
  assert.is(error.variable, "PORT");
  assert.ok(error.message.startsWith("PORT: "));
  assert.not.ok(error.message.includes("\n"));
});

test("a missing variable says it is not set; empty counts as missing", () => {
  assert.is(
    errorFor({ ...good, DATABASE_URL: undefined }).message,
    "DATABASE_URL: required but not set",
  );
  assert.is(errorFor({ ...good, REDIS_URL: "" }).variable, "REDIS_URL");
});

test("REDIS_SECONDARY is optional; a malformed one is named without its password", () => {
  assert.is(loadConfig(good).REDIS_SECONDARY, undefined);
  const error = errorFor({ ...good, REDIS_SECONDARY: "http://:s3cretpass@redis-b:6379" });
  assert.is(error.variable, "REDIS_SECONDARY");
  assert.ok(error.message.startsWith("REDIS_SECONDARY:"), error.message);
  assert.not.ok(error.message.includes("s3cretpass"), error.message);
});

test("secrets are never echoed", () => {
  const error = errorFor({ ...good, ADMIN_TOKEN: "short" });
  assert.is(error.variable, "ADMIN_TOKEN");
  assert.not.ok(error.message.includes("short"));
});

test("a service's own schema is validated too", () => {
  const schema = z.object({ PSP_URL: z.url() });
  assert.is(errorFor({ ...good, PSP_URL: "nope" }, schema).variable, "PSP_URL");
  assert.is(
    loadConfig({ ...good, PSP_URL: "http://psp.local" }, schema).PSP_URL,
    "http://psp.local",
  );
});

test("malformed brokers are refused", () => {
  assert.is(errorFor({ ...good, KAFKA_BROKERS: "nohostport" }).variable, "KAFKA_BROKERS");
});

test("Kafka SASL takes the mechanism in either case and needs both credentials", () => {
  const sasl = {
    ...good,
    KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
    KAFKA_SASL_USERNAME: "payments",
    KAFKA_SASL_PASSWORD: "secret-password",
  };
  assert.is(loadConfig(sasl).KAFKA_SASL_MECHANISM, "scram-sha-512");
  assert.is(loadConfig(good).KAFKA_SASL_MECHANISM, undefined);
  assert.is(
    errorFor({ ...sasl, KAFKA_SASL_PASSWORD: undefined }).message,
    "KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set",
  );
  assert.is(
    errorFor({ ...sasl, KAFKA_SASL_MECHANISM: undefined }).variable,
    "KAFKA_SASL_MECHANISM",
  );
  assert.is(errorFor({ ...sasl, KAFKA_SASL_MECHANISM: "gssapi" }).variable, "KAFKA_SASL_MECHANISM");
});

test("Kafka TLS is off unless KAFKA_TLS is true", () => {
  assert.is(loadConfig(good).KAFKA_TLS, false);
  assert.is(loadConfig({ ...good, KAFKA_TLS: "true" }).KAFKA_TLS, true);
  assert.is(errorFor({ ...good, KAFKA_TLS: "yes" }).variable, "KAFKA_TLS");
});

test.run();
