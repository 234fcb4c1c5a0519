/**
 * @module WithdrawalHalt end to end: a real API server, three real payments replicas with
 * their PostgreSQL and Redis, and the operator running with exactly its generated RBAC. The
 * user works through kubectl; payouts are tried on every replica.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { canonical } from "../../operators/runtime/status";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { asAdmin, call } from "../payments/payments-fixture";
import { getJson, installControls, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";
import {
  adminToken,
  allAccept,
  allRefuse,
  type PaymentsReplicas,
  startPaymentsReplicas,
  tryPayout,
} from "./payments-replicas";

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let operator: RunningOperator;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

async function phase(name: string, wanted: string): Promise<void> {
  await waitUntil(
    `${name} phase ${wanted}`,
    async () => (await getJson(cluster, `withdrawalhalt/${name}`)).status?.phase === wanted,
    { timeoutMs: 30_000 },
  );
}

async function storedIds(): Promise<string[]> {
  const answer = await call(payments.urls[0]!, "GET", "/admin/v1/controls", undefined, asAdmin);
  return (answer.body.controls as { id: string }[]).map((control) => control.id);
}

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([startKube(), startPaymentsReplicas(3)]);
    await installControls(cluster);
    await createTokenSecret(cluster, adminToken);
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: payments.urls[0]! }),
    });
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), payments?.stop()]);
});

test("a halt is enforced by all three replicas, with the ticket in every refusal", async () => {
  assert.ok(await allAccept(payments.urls, "BTC"), "payouts flow before the halt");
  await apply(withdrawalHaltYaml("halt-btc", { currencies: ["BTC"] }));
  const waited = await cluster.kubectl([
    "wait",
    "--for=condition=Ready",
    "withdrawalhalt/halt-btc",
    "-n",
    "payments",
    "--timeout=30s",
  ]);
  assert.is(waited.code, 0, waited.stderr);
  const object = await getJson(cluster, "withdrawalhalt/halt-btc");
  assert.is(object.status?.phase, "Applied");
  assert.equal(
    object.status?.enforcement && { ...object.status.enforcement, services: undefined },
    {
      acknowledged: 3,
      live: 3,
      summary: "3/3",
      services: undefined,
    },
  );
  const enforced = object.status?.conditions?.find((condition) => condition.type === "Enforced");
  assert.is(enforced?.status, "True");
  assert.is(object.status?.observedGeneration, object.metadata.generation);
  for (const url of payments.urls) {
    const refused = await tryPayout(url, "BTC");
    assert.is(refused.status, 423, `${url} refuses`);
    assert.is(refused.body.ticket, "INC-1234");
    assert.is(refused.body.control, "withdrawalhalt.payments.halt-btc");
    assert.match(refused.body.type ?? "", "withdrawals/halted");
  }
  assert.ok(await allAccept(payments.urls, "ETH"), "other currencies still pay out");
  const table = await kubectlOk(cluster, ["get", "controls", "-n", "payments"]);
  assert.match(table, /halt-btc\s+payouts in BTC on payments\s+Applied\s+3\/3\s+INC-1234/);
  const events = await kubectlOk(cluster, [
    "get",
    "events",
    "-n",
    "payments",
    "--field-selector",
    "involvedObject.name=halt-btc",
  ]);
  assert.match(events, "Applied");
});

test("changing the scope moves the halt", async () => {
  await apply(withdrawalHaltYaml("halt-btc", { currencies: ["ETH"] }));
  await waitUntil("the halt moved to ETH", async () => {
    const object = await getJson(cluster, "withdrawalhalt/halt-btc");
    return object.status?.observedGeneration === 2 && object.status.phase === "Applied";
  });
  assert.ok(await allRefuse(payments.urls, "ETH"));
  assert.ok(await allAccept(payments.urls, "BTC"));
});

test("deleting the halt lifts it before the object goes", async () => {
  await kubectlOk(cluster, [
    "delete",
    "withdrawalhalt",
    "halt-btc",
    "-n",
    "payments",
    "--timeout=30s",
  ]);
  assert.not.ok((await storedIds()).includes("withdrawalhalt.payments.halt-btc"));
  await waitUntil("payouts accepted on every replica", () => allAccept(payments.urls, "ETH"));
});

test("a halt with expiresAt lifts itself then, and the object stays as Expired", async () => {
  const expiresAt = new Date(Date.now() + 5_000).toISOString();
  await apply(withdrawalHaltYaml("halt-briefly", { currencies: ["BTC"], expiresAt }));
  await phase("halt-briefly", "Applied");
  assert.ok(await allRefuse(payments.urls, "BTC"));
  await phase("halt-briefly", "Expired");
  await waitUntil("payouts accepted after expiry", () => allAccept(payments.urls, "BTC"));
  const object = await getJson(cluster, "withdrawalhalt/halt-briefly");
  assert.match(object.status?.message ?? "", `expired at ${expiresAt}`);
  assert.not.ok((await storedIds()).includes("withdrawalhalt.payments.halt-briefly"));
});

test("a dry run reports what would be halted and halts nothing", async () => {
  await apply(withdrawalHaltYaml("halt-maybe", { currencies: ["BTC"], dryRun: true }));
  await phase("halt-maybe", "Completed");
  const object = await getJson(cluster, "withdrawalhalt/halt-maybe");
  assert.equal(object.status?.wouldHalt, [{ service: "payments", live: 3 }]);
  assert.match(
    object.status?.message ?? "",
    "dry run: would enforce WithdrawalHalt (payouts in BTC on payments)",
  );
  assert.not.ok((await storedIds()).includes("withdrawalhalt.payments.halt-maybe"));
  assert.ok(await allAccept(payments.urls, "BTC"));
});

test("a halt that requires approval waits for it, then is enforced", async () => {
  const yaml = withdrawalHaltYaml("halt-approve", { currencies: ["BTC"] }).replace(
    "  namespace: payments\n",
    '  namespace: payments\n  annotations: { ops.breakwater.dev/requires-approval: "true" }\n',
  );
  await apply(yaml);
  await waitUntil("waiting for approval", async () => {
    const object = await getJson(cluster, "withdrawalhalt/halt-approve");
    const approved = object.status?.conditions?.find((condition) => condition.type === "Approved");
    return approved?.status === "False" && approved.reason === "AwaitingApproval";
  });
  assert.is((await getJson(cluster, "withdrawalhalt/halt-approve")).status?.phase, "Pending");
  assert.not.ok((await storedIds()).includes("withdrawalhalt.payments.halt-approve"));
  assert.ok(await allAccept(payments.urls, "BTC"), "nothing halted before approval");
  await kubectlOk(cluster, [
    "annotate",
    "withdrawalhalt",
    "halt-approve",
    "-n",
    "payments",
    "ops.breakwater.dev/approved-by=bob",
  ]);
  await phase("halt-approve", "Applied");
  const object = await getJson(cluster, "withdrawalhalt/halt-approve");
  const approved = object.status?.conditions?.find((condition) => condition.type === "Approved");
  assert.is(approved?.message, "approved by bob");
  assert.ok(await allRefuse(payments.urls, "BTC"));
  await kubectlOk(cluster, [
    "delete",
    "withdrawalhalt",
    "halt-approve",
    "-n",
    "payments",
    "--timeout=30s",
  ]);
  await waitUntil("lifted", () => allAccept(payments.urls, "BTC"));
});

test("a halt naming a service nobody runs fails with a clear message", async () => {
  await apply(withdrawalHaltYaml("halt-elsewhere", { services: ["escrow"] }));
  await phase("halt-elsewhere", "Failed");
  const object = await getJson(cluster, "withdrawalhalt/halt-elsewhere");
  assert.match(object.status?.message ?? "", "no target service escrow enforces WithdrawalHalt");
});

interface Competing {
  metadata: { creationTimestamp: string };
  status?: {
    inForce?: boolean;
    supersededBy?: string[];
    overlaps?: { target: string; inForce: string; controls: string[] }[];
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

const competing = (name: string) => getJson<Competing>(cluster, `withdrawalhalt/${name}`);

/** Apply a halt created strictly after `name` (creation times have one-second resolution). */
async function applyAfter(name: string, yaml: string): Promise<void> {
  const createdMs = Date.parse((await competing(name)).metadata.creationTimestamp);
  await waitUntil("a later second", async () => Date.now() >= createdMs + 1000, {
    timeoutMs: 5_000,
  });
  await apply(yaml);
}

async function refusingControl(currency: "BTC" | "ETH"): Promise<string | undefined> {
  const refused = await tryPayout(payments.urls[0]!, currency);
  return refused.status === 423 ? String(refused.body.control) : undefined;
}

test("overlapping halts: status says which one is in force, and it is the one refusals name", async () => {
  await apply(withdrawalHaltYaml("halt-payments", { currencies: [] }));
  await phase("halt-payments", "Applied");
  await applyAfter("halt-payments", withdrawalHaltYaml("halt-btc-only", { currencies: ["BTC"] }));
  await phase("halt-btc-only", "Applied");
  const shared = {
    target: "currency BTC, service payments",
    inForce: "payments/halt-btc-only",
    controls: ["payments/halt-btc-only", "payments/halt-payments"],
  };
  await waitUntil("both halts report the overlap", async () => {
    const [wide, narrow] = await Promise.all([
      competing("halt-payments"),
      competing("halt-btc-only"),
    ]);
    return (
      canonical(wide.status?.overlaps) === canonical([shared]) &&
      canonical(narrow.status?.overlaps) === canonical([shared])
    );
  });
  const wide = await competing("halt-payments");
  assert.is(wide.status?.inForce, true, "it still decides every other currency");
  assert.is(wide.status?.supersededBy, undefined, "an equally restrictive halt supersedes nothing");
  const condition = wide.status?.conditions?.find((entry) => entry.type === "InForce");
  assert.is(condition?.reason, "Shared");
  assert.match(
    condition?.message ?? "",
    "currency BTC, service payments by payments/halt-btc-only",
  );
  assert.is((await competing("halt-btc-only")).status?.inForce, true);
  assert.is(await refusingControl("BTC"), "withdrawalhalt.payments.halt-btc-only");
  assert.is(await refusingControl("ETH"), "withdrawalhalt.payments.halt-payments");

  // A newer halt on all of payments: BTC payouts are now refused in its name, and status says so.
  await applyAfter("halt-btc-only", withdrawalHaltYaml("halt-everything", { currencies: [] }));
  await phase("halt-everything", "Applied");
  await waitUntil("the BTC halt names the newer one as in force on BTC", async () => {
    const narrow = await competing("halt-btc-only");
    return narrow.status?.overlaps?.[0]?.inForce === "payments/halt-everything";
  });
  const narrow = await competing("halt-btc-only");
  assert.is(narrow.status?.inForce, true, "it still halts BTC payouts");
  assert.equal(narrow.status?.overlaps?.[0]?.controls, [
    "payments/halt-everything",
    "payments/halt-btc-only",
    "payments/halt-payments",
  ]);
  assert.is(await refusingControl("BTC"), "withdrawalhalt.payments.halt-everything");

  // When it goes, the BTC halt is the one in force on BTC again, without being touched.
  await kubectlOk(cluster, ["delete", "withdrawalhalt", "halt-everything", "-n", "payments"]);
  await waitUntil("the BTC halt is in force on BTC again", async () => {
    const again = await competing("halt-btc-only");
    return again.status?.overlaps?.[0]?.inForce === "payments/halt-btc-only";
  });
  assert.is(await refusingControl("BTC"), "withdrawalhalt.payments.halt-btc-only");
  await kubectlOk(cluster, [
    ...["delete", "withdrawalhalt", "halt-btc-only", "halt-payments", "-n", "payments"],
  ]);
  await waitUntil("payouts flow again", () => allAccept(payments.urls, "BTC"));
});

test("a SymbolMode that no service enforces yet says so", async () => {
  await apply(`apiVersion: ops.breakwater.dev/v1alpha1
kind: SymbolMode
metadata: { name: btc-cancel-only, namespace: payments }
spec:
  symbol: BTC-USD
  mode: CANCEL_ONLY
  reason: "ledger invariant violation on BTC-USD settlement"
  ticket: INC-99
  requestedBy: alice
`);
  await waitUntil("SymbolMode failed", async () => {
    const object = await getJson(cluster, "symbolmode/btc-cancel-only");
    return object.status?.phase === "Failed";
  });
  const object = await getJson(cluster, "symbolmode/btc-cancel-only");
  assert.match(object.status?.message ?? "", "no service enforces SymbolMode");
});

test.run();
