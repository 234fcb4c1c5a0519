/**
 * @module Events against a real API server: they are recorded on the control they describe,
 * and a burst beyond the queue's limit is dropped and counted instead of held in memory as
 * thousands of requests at once.
 */
import { KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createEventRecorder } from "../../operators/runtime/events";
import { createKubeApi, type KubeApi } from "../../operators/runtime/kube-api";
import type { ControlObject } from "../../operators/runtime/resource";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";

let cluster: KubeCluster;
let api: KubeApi;
/** Events are read as an administrator: the operator may create them, not list them. */
let admin: KubeApi;
let halt: ControlObject;

test.before(
  setup(async () => {
    cluster = await startKube();
    await installControls(cluster);
    await kubectlOk(cluster, ["apply", "-f", "-"], { input: withdrawalHaltYaml("storied") });
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(cluster.kubeconfigFor("operator"));
    api = createKubeApi(kubeconfig);
    const adminConfig = new KubeConfig();
    adminConfig.loadFromFile(cluster.kubeconfigPath);
    admin = createKubeApi(adminConfig);
    halt = await api.get<ControlObject>(
      "/apis/ops.breakwater.dev/v1alpha1/namespaces/payments/withdrawalhalts/storied",
    );
  }),
);

test.after(async () => {
  await cluster?.stop();
});

async function eventsOf(name: string): Promise<{ reason: string; message: string }[]> {
  const list = await admin.list<{ items: { reason: string; message: string }[] }>(
    `/api/v1/namespaces/payments/events?fieldSelector=involvedObject.name%3D${name}`,
  );
  return list.items;
}

test("a burst past the queue's limit is dropped and counted; what was queued is recorded", async () => {
  let dropped = 0;
  const events = createEventRecorder(api, "events-test", pino({ level: "silent" }), {
    queueLimit: 10,
    concurrency: 2,
    onDropped: () => {
      dropped += 1;
    },
  });
  // In one burst: two go out at once, ten wait, the other 38 are dropped.
  for (let index = 0; index < 50; index += 1)
    events.record(halt, "Normal", "Burst", `event ${index}`);
  assert.is(dropped, 38);
  await waitUntil("the queued Events are recorded", async () => {
    return (await eventsOf("storied")).length === 12;
  });
  const messages = (await eventsOf("storied")).map((event) => event.message).sort();
  const expected = Array.from({ length: 12 }, (_, index) => `event ${index}`).sort();
  assert.equal(messages, expected);
  // Once sent, the queue takes Events again.
  events.record(halt, "Warning", "AfterBurst", "after the burst");
  await waitUntil("the later Event is recorded", async () =>
    (await eventsOf("storied")).some((event) => event.reason === "AfterBurst"),
  );
  assert.is(dropped, 38);
});

test.run();
