/** @module Tests that the container-resources check catches a container without bounds. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { containerResources } from "./container-resources";
import { prodManifests, withChanged } from "./fixtures";

const prod = prodManifests();

test("prod as rendered bounds every container", () => {
  assert.equal(containerResources.run(prod), []);
});

test("a container without limits is caught, naming what is missing", () => {
  const broken = withChanged(prod, "Deployment", (deployment) => {
    delete deployment.spec.template.spec.containers[0].resources.limits;
  });
  const problems = containerResources.run(broken);
  assert.is(problems.length, 1);
  assert.match(problems[0]!.message, "has no resources.limits.cpu, resources.limits.memory");
});

test("init containers and CronJobs are checked too", () => {
  const cronJob = {
    path: "prod/services/cronjob-reconcile.yaml",
    object: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "reconcile" },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: { initContainers: [{ name: "wait" }], containers: [{ name: "run" }] },
            },
          },
        },
      },
    },
  };
  const problems = containerResources.run([cronJob]);
  assert.equal(
    problems.map((problem) => problem.message.split(":")[1]!.trim().split(" ")[0]),
    [
      "spec.jobTemplate.spec.template.spec.initContainers[0]",
      "spec.jobTemplate.spec.template.spec.containers[0]",
    ],
  );
});

test.run();
