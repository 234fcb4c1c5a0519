/**
 * @module The committed purchasing rule on a real API server: a flapping provider breaker
 * makes the autopilot create a ProviderDisable of that provider that waits for a person's
 * approval; one per provider however often the alert repeats, and a resolution never lifts it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningAutopilot } from "../../operators/autopilot/autopilot";
import { automationRulesDirectory } from "../../policies/automation/load-rules";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { getJson, kubectlOk, setup } from "../operator/cluster";
import {
  alert,
  installAutopilot,
  outcomes,
  payload,
  send,
  startAutopilotInProcess,
} from "./autopilot-cluster";

const namespace = "purchasing";
const approvalAnnotation = "ops.breakwater.dev/requires-approval";

let cluster: KubeCluster;
let autopilot: RunningAutopilot;

function flapping(provider: string, extra: { service?: string; status?: "resolved" } = {}) {
  return alert({
    alertname: "PurchasingProviderBreakerFlapping",
    labels: { service: extra.service ?? "purchasing", provider, severity: "warning" },
    summary: "A provider's circuit breaker keeps opening.",
    ...(extra.status ? { status: extra.status } : {}),
  });
}

async function disables(): Promise<{ name: string; provider: string; approval: string }[]> {
  const out = await kubectlOk(cluster, ["get", "providerdisables", "-n", namespace, "-o", "json"]);
  const list = JSON.parse(out) as {
    items: {
      metadata: { name: string; annotations?: Record<string, string> };
      spec: { provider: string };
    }[];
  };
  return list.items.map((item) => ({
    name: item.metadata.name,
    provider: item.spec.provider,
    approval: item.metadata.annotations?.[approvalAnnotation] ?? "",
  }));
}

test.before(
  setup(async () => {
    cluster = await startKube();
    const kubeconfig = await installAutopilot(cluster);
    await kubectlOk(cluster, ["create", "namespace", namespace]);
    autopilot = await startAutopilotInProcess(kubeconfig, {
      AUTOPILOT_RULES_DIR: automationRulesDirectory,
      AUTOPILOT_CONTROLS_NAMESPACE: namespace,
      AUTOPILOT_IDENTITY: "autopilot-purchasing",
    });
    await waitUntil("the autopilot leads", async () => autopilot.isLeader(), {
      timeoutMs: 30_000,
    });
  }),
);

test.after(async () => {
  await autopilot?.stop();
  await cluster?.stop();
});

test("a flapping breaker creates a ProviderDisable of that provider awaiting approval", async () => {
  const answer = await send(autopilot, payload([flapping("bad_provider")]));
  assert.is(answer.status, 200);
  assert.equal(outcomes(answer), { approval_requested: 1 });
  const [disable, ...others] = await disables();
  assert.equal(others, []);
  assert.is(disable?.provider, "bad_provider");
  assert.is(disable?.approval, "true");
  const control = await getJson(cluster, `providerdisable/${disable!.name}`, namespace);
  assert.match(String(control.spec.reason), "PurchasingProviderBreakerFlapping");
  assert.is(control.spec.ticket, "INC-1");
});

test("a repeat of the alert, or another service's, creates nothing more", async () => {
  const repeat = await send(autopilot, payload([flapping("bad_provider")]));
  assert.not.ok(outcomes(repeat).approval_requested, JSON.stringify(repeat.body));
  const other = await send(
    autopilot,
    payload([flapping("good_provider", { service: "payments" })]),
  );
  assert.not.ok(outcomes(other).approval_requested, JSON.stringify(other.body));
  assert.equal(
    (await disables()).map((disable) => disable.provider),
    ["bad_provider"],
  );
});

test("a second provider gets its own, and a resolved alert lifts neither", async () => {
  const second = await send(autopilot, payload([flapping("slow_provider")]));
  assert.equal(outcomes(second), { approval_requested: 1 });
  await send(autopilot, payload([flapping("bad_provider", { status: "resolved" })]));
  assert.equal((await disables()).map((disable) => disable.provider).sort(), [
    "bad_provider",
    "slow_provider",
  ]);
});

test.run();
