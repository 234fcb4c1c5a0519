/**
 * @module The informer against a real API server: the cache follows creates, updates and
 * deletes; a watch that ends is resumed from the last resourceVersion without a relist and
 * without missing what happened in between; a 410 Gone makes it relist.
 */
import { KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Informer } from "../../operators/runtime/informer";
import { createKubeApi } from "../../operators/runtime/kube-api";
import type { ControlObject } from "../../operators/runtime/resource";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";

let cluster: KubeCluster;
let informer: Informer<ControlObject>;
const changed: string[] = [];

const type = {
  group: "ops.breakwater.dev",
  version: "v1alpha1",
  plural: "withdrawalhalts",
  kind: "WithdrawalHalt",
};

test.before(
  setup(async () => {
    cluster = await startKube();
    await installControls(cluster);
    await kubectlOk(cluster, ["apply", "-f", "-"], { input: withdrawalHaltYaml("before-start") });
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(cluster.kubeconfigFor("operator"));
    informer = new Informer<ControlObject>(createKubeApi(kubeconfig), {
      type,
      onChange: (key) => changed.push(key),
      log: pino({ level: "silent" }),
      // Short watches, so the test sees several resumes.
      watchTimeoutSeconds: 1,
    });
    await informer.start();
  }),
);

test.after(async () => {
  await informer?.stop();
  await cluster?.stop();
});

test("the first list fills the cache and reports every key", () => {
  assert.ok(informer.hasSynced);
  assert.is(informer.get("payments/before-start")?.kind, "WithdrawalHalt");
  assert.ok(changed.includes("payments/before-start"));
});

test("the cache keeps objects without managedFields, which the API server still has", async () => {
  const cached = informer.get("payments/before-start");
  assert.ok(cached);
  assert.is((cached.metadata as { managedFields?: unknown }).managedFields, undefined);
  const served = JSON.parse(
    await kubectlOk(cluster, [
      "get",
      "withdrawalhalt",
      "before-start",
      "-n",
      "payments",
      "-o",
      "json",
      "--show-managed-fields",
    ]),
  ) as { metadata: { managedFields?: unknown[] } };
  assert.ok((served.metadata.managedFields ?? []).length > 0);
});

test("creates, updates and deletes reach the cache across resumed watches, without relisting", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: withdrawalHaltYaml("watched") });
  await waitUntil("created", async () => informer.get("payments/watched") !== undefined);
  // Outlive a few 1 s watches, changing the object while one is being re-established.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: withdrawalHaltYaml("watched", { currencies: ["ETH"] }),
  });
  await waitUntil(
    "updated",
    async () => informer.get("payments/watched")?.metadata.generation === 2,
  );
  await kubectlOk(cluster, ["delete", "withdrawalhalt", "watched", "-n", "payments"]);
  await waitUntil("deleted", async () => informer.get("payments/watched") === undefined);
  assert.is(informer.lists, 1, "resumed from the last resourceVersion, never relisted");
});

test("410 Gone makes it relist and the cache stays right", async () => {
  // As if the watch had been away longer than the API server keeps history: the next
  // watch asks for resourceVersion 1, long gone from the watch cache. (Set until a watch
  // starts with it: events on the running watch move it forward again.)
  const internals = informer as unknown as { resourceVersion: string };
  await waitUntil(
    "relisted after 410 Gone",
    async () => {
      internals.resourceVersion = "1";
      return informer.lists > 1;
    },
    { timeoutMs: 15_000, intervalMs: 20 },
  );
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: withdrawalHaltYaml("after-gone") });
  await waitUntil(
    "sees objects made meanwhile",
    async () => informer.get("payments/after-gone") !== undefined,
  );
  assert.equal(informer.keys().sort(), ["payments/after-gone", "payments/before-start"]);
});

test("an informer for one namespace sees only that namespace", async () => {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigFor("operator"));
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: withdrawalHaltYaml("system-halt", { namespace: "breakwater-system" }),
  });
  const scoped = new Informer<ControlObject>(createKubeApi(kubeconfig), {
    type,
    namespace: "breakwater-system",
    onChange: () => {},
    log: pino({ level: "silent" }),
  });
  await scoped.start();
  assert.equal(scoped.keys(), ["breakwater-system/system-halt"]);
  await scoped.stop();
});

test.run();
