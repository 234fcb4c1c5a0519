/** @module Tests that the pinned-images check catches `latest` and untagged images everywhere. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { prodManifests, withChanged } from "./fixtures";
import { pinnedImages, unpinnedReason } from "./pinned-images";

const prod = prodManifests();

test("prod as rendered pins every image", () => {
  assert.equal(pinnedImages.run(prod), []);
});

test("tells pinned from unpinned references", () => {
  assert.is(unpinnedReason("ghcr.io/breakwater/payments:0.1.0"), undefined);
  assert.is(unpinnedReason(`ghcr.io/a/b@sha256:${"a".repeat(64)}`), undefined);
  assert.is(unpinnedReason("localhost:5000/payments"), "has no tag");
  assert.is(unpinnedReason("ghcr.io/breakwater/payments:latest"), "uses the `latest` tag");
});

test("a latest service image is caught", () => {
  const broken = withChanged(prod, "Deployment", (deployment) => {
    deployment.spec.template.spec.containers[0].image = "ghcr.io/breakwater/operator:latest";
  });
  const problems = pinnedImages.run(broken);
  assert.is(problems.length, 1);
  assert.match(problems[0]!.message, "spec.template.spec.containers[0].image");
});

test("untagged images in operator-managed resources are caught", () => {
  const postgres = withChanged(
    prod,
    "Cluster",
    (cluster) => (cluster.spec.imageName = "ghcr.io/cloudnative-pg/postgresql"),
  );
  assert.match(pinnedImages.run(postgres)[0]!.message, "spec.imageName");
  const redis = withChanged(
    prod,
    "RedisReplication",
    (r) => (r.spec.kubernetesConfig.image = "quay.io/opstree/redis:latest"),
  );
  assert.match(pinnedImages.run(redis)[0]!.message, "spec.kubernetesConfig.image");
  const redpanda = withChanged(prod, "Redpanda", (r) => delete r.spec.clusterSpec.image.tag);
  assert.match(pinnedImages.run(redpanda)[0]!.message, "spec.clusterSpec.image");
});

test.run();
