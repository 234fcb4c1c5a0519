/**
 * @module Nothing hidden: a control PUT straight into payments' admin API (break glass), or
 * one left behind, is reported by the operator (the gauge behind OperatorUnmanagedControl)
 * and listed by `npm run controls -- unmanaged` with its actor, reason and ticket, while it
 * stays enforced; a resource with its name adopts it, a DELETE through the admin API lifts it.
 * Real API server, two real payments replicas, the operator with exactly its RBAC.
 */
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { asAdmin, call } from "../payments/payments-fixture";
import { installControls, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";
import {
  adminToken,
  allAccept,
  allRefuse,
  type PaymentsReplicas,
  startPaymentsReplicas,
} from "./payments-replicas";

const root = resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let operator: RunningOperator;
let targetsFile: string;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

/** `npm run controls -- <args>` as a user runs it; never throws, gives the exit code. */
async function controls(args: string[], env: Record<string, string> = {}) {
  const command = join(root, "operators", "controls-command.ts");
  const environment = {
    ...process.env,
    KUBECONFIG: cluster.kubeconfigFor("operator"),
    OPERATOR_TARGETS_FILE: targetsFile,
    ...env,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", command, ...args], {
      cwd: root,
      env: environment,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** One sample of the operator's metrics, by its exact series. */
async function sample(series: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${operator.port}/metrics`)).text();
  const line = text.split("\n").find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

const unmanagedGauge = () =>
  sample('breakwater_operator_unmanaged_controls{service="payments",kind="WithdrawalHalt"}');

const scansDone = async () =>
  (await sample('breakwater_operator_unmanaged_scans_total{service="payments",result="ok"}')) ?? 0;

async function gaugeBecomes(value: number): Promise<void> {
  await waitUntil(`unmanaged gauge ${value}`, async () => (await unmanagedGauge()) === value, {
    timeoutMs: 30_000,
    intervalMs: 200,
  });
}

/** A control PUT straight into the admin API, as break glass does. */
async function breakGlass(id: string, currency: string): Promise<void> {
  const answer = await call(
    payments.urls[0]!,
    "PUT",
    `/admin/v1/controls/${id}`,
    {
      kind: "WithdrawalHalt",
      spec: { scope: { services: ["payments"], currencies: [currency] } },
      reason: `break glass: ${currency} hot wallet drained, stop payouts now`,
      ticket: "INC-4242",
      actor: "bob",
    },
    asAdmin,
  );
  assert.is(answer.status, 200, JSON.stringify(answer.body));
}

async function storedIds(): Promise<string[]> {
  const answer = await call(payments.urls[0]!, "GET", "/admin/v1/controls", undefined, asAdmin);
  return (answer.body.controls as { id: string }[]).map((control) => control.id);
}

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([startKube(), startPaymentsReplicas(2)]);
    await installControls(cluster);
    await createTokenSecret(cluster, adminToken);
    targetsFile = writeTargets({ paymentsUrl: payments.urls[0]! });
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: targetsFile,
      OPERATOR_UNMANAGED_SCAN_SECONDS: "0.5",
    });
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), payments?.stop()]);
});

test("controls declared by resources are not reported", async () => {
  await apply(withdrawalHaltYaml("halt-btc", { currencies: ["BTC"] }));
  await kubectlOk(cluster, [
    "wait",
    "--for=condition=Enforced",
    "withdrawalhalt/halt-btc",
    "-n",
    "payments",
    "--timeout=30s",
  ]);
  await gaugeBecomes(0);
  const listed = await controls(["unmanaged"]);
  assert.is(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, "no unmanaged controls (1 services compared)");
});

test("a break-glass PUT is reported, listed with actor, reason and ticket, and stays in force", async () => {
  await breakGlass("breakglass-eth", "ETH");
  await gaugeBecomes(1);
  assert.ok(await allRefuse(payments.urls, "ETH"), "the break-glass halt is enforced");
  const listed = await controls(["unmanaged"]);
  assert.is(listed.code, 0, listed.stderr);
  const [header, ...rows] = listed.stdout.trim().split("\n");
  assert.match(header!, /^SERVICE\s+KIND\s+ID\s+ACTOR\s+TICKET\s+AGE\s+REASON$/);
  assert.is(rows.length, 1, listed.stdout);
  assert.match(
    rows[0]!,
    /^payments\s+WithdrawalHalt\s+breakglass-eth\s+bob\s+INC-4242\s+\d+[smhd]\s+break glass: ETH hot wallet drained/,
  );
  const json = await controls(["unmanaged", "--output", "json"]);
  const found = JSON.parse(json.stdout) as { id: string; actor: string; ticket: string }[];
  assert.equal(
    found.map(({ id, actor, ticket }) => ({ id, actor, ticket })),
    [{ id: "breakglass-eth", actor: "bob", ticket: "INC-4242" }],
  );
  // Several scans later it is still there and still enforced: never lifted silently.
  const before = await scansDone();
  await waitUntil("three more scans", async () => (await scansDone()) >= before + 3, {
    timeoutMs: 30_000,
  });
  assert.ok((await storedIds()).includes("breakglass-eth"));
  assert.ok(await allRefuse(payments.urls, "ETH"));
});

test("a control left behind is adopted by a resource with its name", async () => {
  await breakGlass("withdrawalhalt.payments.left-behind", "USD");
  await gaugeBecomes(2);
  await apply(withdrawalHaltYaml("left-behind", { currencies: ["USD"] }));
  await gaugeBecomes(1);
  const listed = await controls(["unmanaged"]);
  assert.not.match(listed.stdout, "left-behind");
  // The operator owns it now: deleting the resource lifts it.
  await kubectlOk(cluster, ["delete", "withdrawalhalt/left-behind", "-n", "payments"]);
  await waitUntil(
    "left-behind lifted",
    async () => !(await storedIds()).includes("withdrawalhalt.payments.left-behind"),
    { timeoutMs: 30_000 },
  );
});

test("a DELETE through the admin API lifts it and the report clears", async () => {
  const lifted = await call(
    payments.urls[0]!,
    "DELETE",
    "/admin/v1/controls/breakglass-eth",
    {
      actor: "bob",
      reason: "hot wallet refilled, adopted as INC-4242 follow-up",
      ticket: "INC-4242",
    },
    asAdmin,
  );
  assert.is(lifted.status, 200, JSON.stringify(lifted.body));
  await gaugeBecomes(0);
  await waitUntil("ETH payouts flow again", () => allAccept(payments.urls, "ETH"), {
    timeoutMs: 30_000,
  });
});

test("a bad setting stops the command with one line naming it", async () => {
  const noTargets = await controls(["unmanaged"], { OPERATOR_TARGETS_FILE: "/nonexistent.yaml" });
  assert.is(noTargets.code, 1);
  assert.is(noTargets.stderr.trim().split("\n").length, 1, noTargets.stderr);
  assert.match(noTargets.stderr, /^OPERATOR_TARGETS_FILE: /);
  const noKubeconfig = await controls(["unmanaged"], { KUBECONFIG: "/nonexistent/kubeconfig" });
  assert.is(noKubeconfig.code, 1);
  assert.match(noKubeconfig.stderr.trim(), /^KUBECONFIG: no such kubeconfig file/);
  const usage = await controls(["lift-everything"]);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, "usage: npm run controls -- unmanaged");
});

test.run();
