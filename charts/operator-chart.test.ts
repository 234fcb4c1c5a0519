/**
 * @module Tests that the operator chart ships the operator's own CRDs and RBAC, a targets file
 * the operator accepts for the enabled services, and the environment's autopilot mode.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { loadEnvironment } from "../environments";
import { crdManifests } from "../operators/crds/index";
import { parseTargets } from "../operators/targets";
import { operatorTargets } from "./operator-chart";
import { renderEnvironment } from "./render";

const objectsOf = (name: "dev" | "prod") =>
  renderEnvironment(loadEnvironment(name))
    .filter(({ app }) => app === "operator")
    .map(({ object }) => object as any);

test("ships every control CRD and the operator's ClusterRole", () => {
  const objects = objectsOf("prod");
  const crds = objects
    .filter((object) => object.kind === "CustomResourceDefinition")
    .map((o) => o.metadata.name);
  assert.equal(
    crds.sort(),
    crdManifests()
      .map((crd: any) => crd.metadata.name)
      .sort(),
  );
  assert.ok(
    objects.some(
      (object) => object.kind === "ClusterRole" && object.metadata.name === "breakwater-operator",
    ),
  );
  const role = objects.find(
    (o) => o.kind === "Role" && o.metadata.namespace === "breakwater-services",
  );
  assert.equal(role.rules[0].resourceNames, ["payments-admin-token"]);
});

test("the targets file names only enabled services and is one the operator accepts", () => {
  const config = objectsOf("prod").find((object) => object.kind === "ConfigMap");
  const targets = parseTargets(config.data["targets.yaml"], "targets.yaml");
  assert.equal(Object.keys(targets.services), ["payments"]);
  assert.is(
    targets.services.payments!.adminUrl,
    "http://payments.breakwater-services.svc.cluster.local:8080",
  );
  assert.equal(parse(config.data["targets.yaml"]), operatorTargets(loadEnvironment("prod")));
});

test("the autopilot runs in dry-run outside prod", () => {
  const data = (name: "dev" | "prod") =>
    objectsOf(name).find((object) => object.kind === "ConfigMap").data;
  assert.is(data("prod").AUTOPILOT_DRY_RUN, "false");
  assert.is(data("dev").AUTOPILOT_DRY_RUN, "true");
});

test.run();
