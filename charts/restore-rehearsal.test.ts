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
  const cronJob = objects.find(
    (object) =>
      object.kind === "CronJob" && object.metadata.name === "payments-db-restore-rehearsal",
  );
  assert.is(cronJob.metadata.name, "payments-db-restore-rehearsal");
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
  const objects = objectsOf("staging");
  const role = objects.find((object) => object.kind === "Role");
  // One rehearsal per PITR database, and the owner Secret of each, nothing else.
  const owners = objects
    .filter((object) => object.kind === "CronJob")
    .map((cronJob) => `${cronJob.metadata.name.replace(/-restore-rehearsal$/, "")}-owner`);
  assert.ok(owners.includes("payments-db-owner"));
  const rules = role.rules.map((rule: { resourceNames?: string[] }) =>
    rule.resourceNames ? { ...rule, resourceNames: [...rule.resourceNames].sort() } : rule,
  );
  owners.sort();
  assert.equal(rules, [
    {
      apiGroups: ["postgresql.cnpg.io"],
      resources: ["clusters"],
      verbs: ["create", "get", "delete"],
    },
    {
      apiGroups: [""],
      resources: ["secrets"],
      verbs: ["get"],
      resourceNames: owners,
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
