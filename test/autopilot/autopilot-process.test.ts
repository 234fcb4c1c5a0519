/**
 * @module `npm run autopilot` as a user runs it: the program (operators/autopilot/main.ts) as a
 * child process with its ServiceAccount's kubeconfig and the repository's rules, answering
 * Alertmanager's webhook with a halt in its own name, and stopping on SIGTERM with its Lease
 * released.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type KubeCluster, startKube } from "../harness/kube";
import { type ManagedProcess, makeTempDir, startProcess, waitUntil } from "../harness/process";
import { getJson, kubectlOk, setup } from "../operator/cluster";
import {
  alert,
  autopilotUsername,
  installAutopilot,
  payload,
  webhookToken,
} from "./autopilot-cluster";

const root = resolve(import.meta.dirname, "..", "..");
let cluster: KubeCluster;
let autopilot: ManagedProcess;
let logPath: string;
let port = 0;

test.before(
  setup(async () => {
    cluster = await startKube();
    const kubeconfig = await installAutopilot(cluster);
    logPath = join(makeTempDir("autopilot-process"), "autopilot.log");
    autopilot = startProcess({
      name: "autopilot",
      command: "npm",
      args: ["run", "--silent", "autopilot"],
      cwd: root,
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        AUTOPILOT_WEBHOOK_TOKEN: webhookToken,
        AUTOPILOT_ENVIRONMENT: "prod",
        AUTOPILOT_CONTROLS_NAMESPACE: "payments",
        AUTOPILOT_PORT: "0",
        AUTOPILOT_HOST: "127.0.0.1",
        AUTOPILOT_IDENTITY: "autopilot-process",
        AUTOPILOT_RETRY_PERIOD_SECONDS: "0.5",
      },
      logPath,
    });
    await waitUntil(
      "npm run autopilot listening",
      async () => {
        const line = readFileSync(logPath, "utf8")
          .split("\n")
          .find((entry) => entry.includes('"msg":"listening"'));
        if (line) port = (JSON.parse(line) as { port: number }).port;
        return port > 0;
      },
      { process: autopilot, timeoutMs: 60_000 },
    );
  }),
);

test.after(async () => {
  await autopilot?.stop();
  await cluster?.stop();
});

test("it answers the webhook with a halt in its own name, and releases its Lease on SIGTERM", async () => {
  await waitUntil(
    "it leads",
    async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return metrics.includes("autopilot_leader 1");
    },
    { timeoutMs: 30_000 },
  );
  const body = payload([
    alert({
      alertname: "PaymentsLedgerImbalance",
      labels: { service: "payments", currency: "ETH" },
    }),
  ]);
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`, {
    method: "POST",
    headers: { authorization: `Bearer ${webhookToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.is(response.status, 200);
  const answer = (await response.json()) as { decisions: { outcome: string }[] };
  assert.equal(
    answer.decisions.map((decision) => decision.outcome),
    ["created"],
  );
  const halt = await getJson(cluster, "withdrawalhalt/payments-ledger-imbalance-eth");
  assert.is(halt.spec.requestedBy, autopilotUsername);
  const log = readFileSync(logPath, "utf8");
  const decision = log.split("\n").find((line) => line.includes('"msg":"autopilot decision"'));
  assert.ok(decision, log);
  assert.match(decision, /"fingerprint":"[0-9a-f]+"/);
  assert.match(decision, /"outcome":"created"/);
  assert.not.match(log, webhookToken, "the token is never printed");

  await autopilot.stop(10_000);
  // npm may exit before the program it runs has finished releasing; wait for the release.
  await waitUntil(
    "the Lease is released",
    async () =>
      (await kubectlOk(cluster, [
        ...["get", "lease", "breakwater-autopilot", "-n", "breakwater-system"],
        ...["-o", "jsonpath={.spec.holderIdentity}"],
      ])) === "",
    { timeoutMs: 15_000 },
  );
});

test.run();
