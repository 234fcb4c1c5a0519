/**
 * @module The operator's first list against a real API server that is not ready for it yet:
 * an informer started before its CRD exists keeps retrying with backoff (the server answers
 * 404, and right after the CRD is established it may answer 429 "storage is
 * (re)initializing"), then syncs once the server serves the resource — it never gives up,
 * which is what made `npm run operator` exit 1 when started right after its CRDs.
 */
import { KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Informer } from "../../operators/runtime/informer";
import { createKubeApi, KubeApiError } from "../../operators/runtime/kube-api";
import type { ControlObject } from "../../operators/runtime/resource";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { crdFiles, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";

let cluster: KubeCluster;

test.before(
  setup(async () => {
    cluster = await startKube();
  }),
);

test.after(async () => {
  await cluster?.stop();
});

const type = {
  group: "ops.breakwater.dev",
  version: "v1alpha1",
  plural: "withdrawalhalts",
  kind: "WithdrawalHalt",
};

test("the first list is retried until the API server serves the resource, then the cache syncs", async () => {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigFor("admin"));
  const failures: number[] = [];
  const informer = new Informer<ControlObject>(createKubeApi(kubeconfig), {
    type,
    onChange: () => {},
    onListFailed: (error) => failures.push(error instanceof KubeApiError ? error.status : 0),
    log: pino({ level: "silent" }),
    watchTimeoutSeconds: 5,
  });
  let started = false;
  const starting = informer.start().then(() => {
    started = true;
  });
  try {
    await waitUntil("a failed first list", async () => failures.length >= 2, {
      timeoutMs: 60_000,
    });
    assert.not.ok(started, "still listing while the CRD is absent");
    assert.ok(
      failures.every((status) => status === 404 || status === 429),
      String(failures),
    );
    // What the charts do: apply the CRDs (no waiting for them), then a control right away.
    await kubectlOk(cluster, ["apply", ...crdFiles.flatMap((file) => ["-f", file])]);
    await kubectlOk(cluster, ["create", "namespace", "payments"]);
    await waitUntil(
      "a control created",
      async () =>
        (await cluster.kubectl(["apply", "-f", "-"], { input: withdrawalHaltYaml("early") }))
          .code === 0,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await starting;
    assert.ok(informer.hasSynced);
    await waitUntil(
      "the control in the cache",
      async () => informer.get("payments/early") !== undefined,
      {
        timeoutMs: 60_000,
      },
    );
  } finally {
    await informer.stop();
  }
});

test("stopping while the first list keeps failing ends start() without syncing", async () => {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigFor("admin"));
  let failed = 0;
  const informer = new Informer<ControlObject>(createKubeApi(kubeconfig), {
    type: { ...type, plural: "nothings", kind: "Nothing" },
    onChange: () => {},
    onListFailed: () => {
      failed += 1;
    },
    log: pino({ level: "silent" }),
  });
  const starting = informer.start();
  await waitUntil("a failed first list", async () => failed >= 1, { timeoutMs: 60_000 });
  await informer.stop();
  await starting;
  assert.not.ok(informer.hasSynced);
});

test.run();
