/** @module Bad operator settings stop it with one line naming the variable. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, loadConfig } from "./config";

function message(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

test("defaults are complete without any variable set", () => {
  const config = loadConfig({});
  assert.is(config.metricsPort, 8080);
  assert.equal(config.namespaces, []);
  assert.is(config.lease.durationMs, 15_000);
});

test("each bad value names its variable on one line", () => {
  assert.match(message({ OPERATOR_METRICS_PORT: "eighty" }), /^OPERATOR_METRICS_PORT: /);
  assert.match(message({ OPERATOR_NAMESPACES: "payments,Bad_NS" }), /^OPERATOR_NAMESPACES: /);
  assert.match(
    message({ REDIS_URL: "http://localhost:6379" }),
    /^REDIS_URL: expected a redis:\/\/ URL/,
  );
  assert.match(
    message({ KUBECONFIG: "/nonexistent/kubeconfig" }),
    /^KUBECONFIG: no such kubeconfig file/,
  );
  assert.match(
    message({ OPERATOR_LEASE_DURATION_SECONDS: "5", OPERATOR_RENEW_DEADLINE_SECONDS: "6" }),
    /^OPERATOR_RENEW_DEADLINE_SECONDS: /,
  );
  assert.not.match(message({ OPERATOR_WORKERS: "0" }), /\n/);
});

test("namespaces are a comma-separated list", () => {
  assert.equal(loadConfig({ OPERATOR_NAMESPACES: "payments, exchange" }).namespaces, [
    "payments",
    "exchange",
  ]);
});

test.run();
