/**
 * @module Tests that every environment loads and that a wrong value is reported with the
 * environment and the field path.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  EnvironmentError,
  environmentNames,
  loadAllEnvironments,
  loadEnvironment,
  parseEnvironment,
} from "./index";
import { prod } from "./prod";

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
  throw new Error("expected an EnvironmentError");
}

test("every environment loads, in promotion order", () => {
  assert.equal(
    loadAllEnvironments().map((environment) => environment.name),
    [...environmentNames],
  );
});

test("prod keeps point-in-time recovery and 30 days of backups on every enabled database", () => {
  const environment = loadEnvironment("prod");
  for (const database of Object.values(environment.postgres)) {
    assert.ok(database.backup.pitr);
    assert.is(database.backup.retention, "30d");
  }
  assert.is(environment.features.autopilot.dryRun, false);
  assert.is(loadEnvironment("staging").features.autopilot.dryRun, true);
});

test("the runbooks' thresholds reach every environment", () => {
  for (const environment of loadAllEnvironments()) {
    assert.is(environment.alerts.purchaseFailureRatio, 0.1);
    assert.is(environment.alerts.stuckReservationsCount, 50);
    assert.is(environment.alerts.replicationLagMs, 100);
    assert.is(environment.alerts.slowQueryMs, 200);
    assert.is(environment.alerts.errorRatio, 0.05);
    assert.is(environment.alerts.latencyP95Ms, 500);
  }
});

test("a wrong number names the environment and the field", () => {
  const source = {
    ...prod,
    postgres: { ...prod.postgres, payments: { ...prod.postgres.payments, instances: 0 } },
  };
  assert.equal(
    problemsOf(() => parseEnvironment("prod", source)),
    ["prod: postgres.payments.instances: expected a number ≥ 1"],
  );
});

test("a latest image, a bad retention and a missing section are all reported", () => {
  const source = {
    ...prod,
    services: {
      ...prod.services,
      payments: { ...prod.services.payments, image: { repository: "ghcr.io/a/b", tag: "latest" } },
    },
    postgres: {
      ...prod.postgres,
      escrow: {
        ...prod.postgres.escrow,
        backup: { ...prod.postgres.escrow.backup, retention: "30 days" },
      },
    },
    redis: undefined,
  };
  const problems = problemsOf(() => parseEnvironment("prod", source));
  assert.ok(
    problems.includes("prod: services.payments.image.tag: expected a pinned tag, not `latest`"),
  );
  assert.ok(problems.some((line) => line.startsWith("prod: postgres.escrow.backup.retention: ")));
  assert.ok(problems.includes("prod: redis: missing (expected object)"));
});

test("cross-field rules point at the field to change", () => {
  const topics = [...prod.redpanda.topics];
  topics[1] = { ...topics[1]!, replicationFactor: 5 };
  const source = {
    ...prod,
    redpanda: { ...prod.redpanda, topics },
    services: { ...prod.services, escrow: { ...prod.services.escrow, enabled: true } },
    postgres: { ...prod.postgres, escrow: { ...prod.postgres.escrow, enabled: false } },
  };
  const problems = problemsOf(() => parseEnvironment("staging", { ...source, name: "staging" }));
  assert.ok(
    problems.includes(
      "staging: redpanda.topics[1].replicationFactor: expected a number ≤ brokers (3)",
    ),
  );
  assert.ok(
    problems.includes(
      "staging: postgres.escrow.enabled: expected true: service escrow is enabled and needs its database",
    ),
  );
});

test("a service is enabled without its own database, and needs the one it keeps its tables in", () => {
  const source = {
    ...prod,
    services: {
      ...prod.services,
      "exchange-edge": { ...prod.services["exchange-edge"], enabled: true },
    },
    postgres: { ...prod.postgres, exchange: { ...prod.postgres.exchange, enabled: false } },
  };
  assert.ok(
    problemsOf(() => parseEnvironment("prod", source)).includes(
      "prod: postgres.exchange.enabled: expected true: service exchange-edge is enabled and needs its database",
    ),
  );
  assert.is(Object.hasOwn(prod.postgres, "exchange-edge"), false);
  assert.is(Object.hasOwn(prod.postgres, "status-page"), false);
});

test("a misspelt service or database is one line naming the field and the choices", () => {
  const { "status-page": statusPage, ...services } = prod.services;
  const source = { ...prod, services: { ...services, "status-pages": statusPage } };
  assert.equal(
    problemsOf(() => parseEnvironment("prod", source)),
    [
      "prod: services.status-page: missing (expected object)",
      "prod: services: unknown service `status-pages`; expected one of payments, purchasing, exchange, escrow, exchange-edge, status-page",
    ],
  );
  const databases = { ...prod, postgres: { ...prod.postgres, edge: prod.postgres.exchange } };
  assert.equal(
    problemsOf(() => parseEnvironment("prod", databases)),
    [
      "prod: postgres: unknown database `edge`; expected one of payments, purchasing, exchange, escrow",
    ],
  );
});

test("an unknown environment is refused by name", () => {
  assert.equal(
    problemsOf(() => loadEnvironment("qa")),
    ["qa: expected one of dev, staging, prod"],
  );
});

test.run();
