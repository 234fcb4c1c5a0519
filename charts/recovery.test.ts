/**
 * @module Tests the restore command's recovery Cluster and its refusals: the time must be
 * RFC 3339 with an offset, in the past, and inside the backup retention.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { parseRfc3339, RestoreError, recoveryCluster } from "./recovery";

const prod = loadEnvironment("prod");
const now = new Date("2026-11-22T12:00:00Z");
const root = resolve(import.meta.dirname, "..");

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RestoreError) return error.message;
    throw error;
  }
  throw new Error("expected a RestoreError");
}

test("renders a new cluster recovered from the old one's archive up to the target time", () => {
  const cluster = recoveryCluster({
    environment: prod,
    cluster: "payments-db",
    targetTime: "2026-11-22T10:30:00Z",
    now,
  }) as any;
  assert.is(cluster.kind, "Cluster");
  assert.is(cluster.metadata.name, "payments-db-pitr-20261122t103000z");
  assert.is(cluster.metadata.namespace, "data-plane");
  assert.equal(cluster.spec.bootstrap.recovery.recoveryTarget, {
    targetTime: "2026-11-22T10:30:00Z",
  });
  assert.is(cluster.spec.bootstrap.recovery.source, "origin");
  assert.equal(cluster.spec.externalClusters, [
    {
      name: "origin",
      plugin: {
        name: "barman-cloud.cloudnative-pg.io",
        parameters: { barmanObjectName: "payments-db-backups", serverName: "payments-db" },
      },
    },
  ]);
  // Archiving continues under a NEW serverName so the old history is never overwritten.
  assert.equal(cluster.spec.plugins[0].parameters, {
    barmanObjectName: "payments-db-backups",
    serverName: "payments-db-pitr-20261122t103000z",
  });
  assert.is(cluster.spec.plugins[0].isWALArchiver, true);
  assert.is(cluster.spec.instances, 3);
});

test("refuses times that are not RFC 3339 with an offset", () => {
  for (const text of [
    "2026-11-22 10:30:00",
    "2026-11-22T10:30:00",
    "yesterday",
    "2026-02-30T10:00:00Z",
  ]) {
    assert.match(
      refusal(() => parseRfc3339(text)),
      /^--to: expected an RFC 3339 time/,
    );
  }
  assert.is(parseRfc3339("2026-11-22T11:30:00+01:00").toISOString(), "2026-11-22T10:30:00.000Z");
});

test("refuses a time in the future and one older than the retention", () => {
  const at = (targetTime: string) => () =>
    recoveryCluster({ environment: prod, cluster: "payments-db", targetTime, now });
  assert.match(refusal(at("2026-11-22T12:00:01Z")), /is in the future/);
  assert.match(refusal(at("2026-10-01T00:00:00Z")), /older than the 30d retention of payments-db/);
});

test("refuses an unknown or disabled cluster, naming the ones that exist", () => {
  const message = refusal(() =>
    recoveryCluster({
      environment: prod,
      cluster: "escrow-db",
      targetTime: "2026-11-22T10:00:00Z",
      now,
    }),
  );
  assert.is(
    message,
    '--restore: no PostgreSQL cluster with PITR named "escrow-db" in prod (known: payments-db, purchasing-db)',
  );
});

test("the command prints the cluster to stdout, and one line on a bad time", () => {
  const target = new Date(Date.now() - 60_000).toISOString();
  const tsx = resolve(root, "node_modules", ".bin", "tsx");
  const stdout = execFileSync(
    tsx,
    ["charts/synth.ts", "--restore", "payments-db", "--to", target],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  assert.match(stdout, "kind: Cluster");
  assert.match(stdout, `targetTime: "${target}"`);
  const bad = spawnSync(tsx, ["charts/synth.ts", "--restore", "payments-db", "--to", "noon"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.is(bad.status, 2);
  assert.is(bad.stdout, "");
  assert.is(bad.stderr.trim().split("\n").length, 1);
  assert.match(
    bad.stderr,
    '--to: expected an RFC 3339 time with an offset, like 2026-11-22T10:30:00Z, found "noon"',
  );
});

test.run();
