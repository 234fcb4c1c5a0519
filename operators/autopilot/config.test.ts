/** @module Tests that the autopilot's settings fail with one line naming the variable, never showing the token. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../config";
import { loadAutopilotConfig } from "./config";

const token = "a-webhook-token-of-some-length";
const minimal = { AUTOPILOT_WEBHOOK_TOKEN: token, AUTOPILOT_ENVIRONMENT: "prod" };

function refusal(env: Record<string, string>): string {
  try {
    loadAutopilotConfig(env);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
}

test("defaults: dry run, its own Lease and state, a budget of 20 an hour", () => {
  const config = loadAutopilotConfig(minimal);
  assert.is(config.defaultMode, "dryRun");
  assert.is(config.lease.name, "breakwater-autopilot");
  assert.is(config.stateConfigMap, "breakwater-autopilot-state");
  assert.equal(config.budget, { count: 20, windowMs: 3_600_000 });
  assert.match(config.rulesDirectory, /policies\/automation$/);
});

test("a missing or bad setting is one line naming the variable", () => {
  assert.is(
    refusal({ AUTOPILOT_ENVIRONMENT: "prod" }),
    "AUTOPILOT_WEBHOOK_TOKEN: expected the bearer token Alertmanager sends (from a Secret) (got missing)",
  );
  assert.is(
    refusal({ ...minimal, AUTOPILOT_ENVIRONMENT: "qa" }),
    'AUTOPILOT_ENVIRONMENT: expected dev, staging or prod (got "qa")',
  );
  assert.is(
    refusal({ ...minimal, AUTOPILOT_DEFAULT_MODE: "yolo" }),
    'AUTOPILOT_DEFAULT_MODE: expected auto, approval or dryRun (got "yolo")',
  );
  assert.match(refusal({ ...minimal, AUTOPILOT_BUDGET: "-1" }), /^AUTOPILOT_BUDGET: /);
});

test("a short token is refused without printing it", () => {
  const message = refusal({ ...minimal, AUTOPILOT_WEBHOOK_TOKEN: "hunter2" });
  assert.is(
    message,
    "AUTOPILOT_WEBHOOK_TOKEN: expected at least 16 characters (value hidden: it may hold a secret)",
  );
  assert.not.match(message, "hunter2");
});

test.run();
