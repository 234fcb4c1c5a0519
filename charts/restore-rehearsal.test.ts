/**
 * @module The weekly restore rehearsal as rendered: staging schedules it for its PITR database
 * with the rehearsal copy in a ConfigMap and a ServiceAccount that may touch only Clusters and
 * the owner Secret; environments that schedule none render none.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { rehearsalCluster } from "./recovery";
import { renderEnvironment } from "./render";

function objectsOf(name: "dev" | "staging" | "prod") {
  return renderEnvironment(loadEnvironment(name))
    .filter((rendered) => rendered.app === "postgres")
    .map(({ object }) => object as any);
}

test("staging runs the rehearsal weekly, one at a time, with the rendered copy", () => {
  const objects = objectsOf("staging");
  const cronJobs = objects.filter((object) => object.kind === "CronJob");
  // One per PITR database: every database staging deploys.
  assert.equal(cronJobs.map((job) => job.metadata.name).sort(), [
    "exchange-db-restore-rehearsal",
    "payments-db-restore-rehearsal",
    "purchasing-db-restore-rehearsal",
  ]);
  const cronJob = cronJobs.find((job) => job.metadata.name === "payments-db-restore-rehearsal");
  assert.is(cronJob.metadata.namespace, "data-plane");
  assert.is(cronJob.spec.schedule, "0 4 * * 1");
  assert.is(cronJob.spec.concurrencyPolicy, "Forbid");
  const pod = cronJob.spec.jobTemplate.spec.template.spec;
  assert.is(pod.serviceAccountName, "restore-rehearsal");
  assert.equal(pod.containers[0].args, [
    "drills/main.ts",
    "restore-cluster",
    "--manifest",
    "/etc/restore-rehearsal/cluster.json",
  ]);
  const configMap = objects.find(
    (object) =>
      object.kind === "ConfigMap" && object.metadata.name === "payments-db-restore-rehearsal",
  );
  assert.equal(
    JSON.parse(configMap.data["cluster.json"]),
    rehearsalCluster(loadEnvironment("staging"), "payments-db"),
  );
  assert.equal(pod.volumes[0], { configMap: { name: configMap.metadata.name }, name: "manifest" });
});

test("the rehearsal's account may create, read and delete Clusters and read only owner Secrets", () => {
  const role = objectsOf("staging").find((object) => object.kind === "Role");
  assert.equal(role.rules, [
    {
      apiGroups: ["postgresql.cnpg.io"],
      resources: ["clusters"],
      verbs: ["create", "get", "delete"],
    },
    {
      apiGroups: [""],
      resources: ["secrets"],
      verbs: ["get"],
      resourceNames: ["payments-db-owner", "purchasing-db-owner", "exchange-db-owner"],
    },
  ]);
});

test("dev and prod schedule no rehearsal", () => {
  for (const name of ["dev", "prod"] as const) {
    assert.equal(
      objectsOf(name).filter((object) => object.kind === "CronJob" || object.kind === "Role"),
      [],
      name,
    );
  }
});

test.run();
