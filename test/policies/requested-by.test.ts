/**
 * @module The requestedBy admission policy, as the operator chart renders it, in a real
 * kube-apiserver beside the expiry policy: a person can only request a control as themselves,
 * nobody can rewrite who asked, the autopilot acts only in its own name, and the operator and
 * Argo CD still do their work.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { autopilotNamespace, autopilotServiceAccount } from "../../operators/autopilot/rbac";
import { controlGroup, controlKinds, controlVersion } from "../../operators/crds/index";
import {
  requestedByPolicyName,
  serviceAccountUsername,
} from "../../policies/admission/requested-by";
import { getJson, kubectlOk, withdrawalHaltYaml } from "../operator/cluster";
import {
  deniedFor,
  dryRun as dryRunAs,
  namespace,
  renderedPolicies,
  usePolicyCluster,
} from "./policy-cluster";

const argoCdController = "system:serviceaccount:argocd:argocd-application-controller";
const finalizer = `${controlGroup}/lift`;
const autopilot = serviceAccountUsername(autopilotNamespace, autopilotServiceAccount);

/** A valid spec of each kind besides the common fields; a new kind must add one here. */
const kindFields: Record<string, Record<string, unknown>> = {
  WithdrawalHalt: { scope: { services: ["payments"], currencies: ["BTC"] } },
  SymbolMode: { symbol: "BTC-USD", mode: "CANCEL_ONLY" },
  ProviderDisable: { provider: "bad_provider" },
  LockFlush: { pattern: "lock:purchase:*", maxKeys: 10 },
  PayoutThrottle: { scope: { currencies: ["BTC"] }, rate: 10, per: "Minute" },
  EdgeDegradation: { conflationMs: 1000, bookDepth: 20, subscriptionsPerSecond: 2 },
  EscrowResolution: { transactionId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f", decision: "refund" },
  OrderThrottle: { symbol: "BTC-USD", rate: 10, per: "Second" },
  ReadOnlyMode: { services: ["payments"] },
  RedisFailover: { services: ["payments"] },
  CancelAll: { symbol: "BTC-USD" },
  SessionRevocation: { services: ["payments"], issuedBefore: "2026-11-29T14:00:00Z" },
  SettlementReplay: { fromOffset: 0 },
  WebhookReplay: { eventId: "0b7e2c4a-3f1d-4e8b-9a6c-5d2f1e0a9b8c" },
};

function control(kind: string, name: string, requestedBy: string): string {
  const fields = kindFields[kind];
  if (!fields) throw new Error(`no sample spec for ${kind}: add one to kindFields`);
  return stringify({
    apiVersion: `${controlGroup}/${controlVersion}`,
    kind,
    metadata: { name, namespace },
    spec: {
      ...fields,
      reason: "provider returns errors on every purchase",
      ticket: "INC-4711",
      requestedBy,
    },
  });
}

const cluster = usePolicyCluster(test);

function dryRun(yaml: string, user: "alice" | "bob" = "alice") {
  return dryRunAs(cluster(), yaml, user);
}

function patch(resource: string, body: unknown, user: "alice" | "bob" | "operator") {
  return cluster().kubectl(
    ["patch", resource, "-n", namespace, "--type=merge", "-p", JSON.stringify(body)],
    { user },
  );
}

test("the chart renders the requestedBy policy and its Deny binding beside the expiry one", () => {
  const names = renderedPolicies.map((object) => `${object.kind}/${object.metadata.name}`);
  assert.ok(names.includes(`ValidatingAdmissionPolicy/${requestedByPolicyName}`), names.join());
  assert.ok(names.includes(`ValidatingAdmissionPolicyBinding/${requestedByPolicyName}`));
  assert.ok(names.includes("ValidatingAdmissionPolicy/breakwater-controls-expire-in-future"));
});

test("alice may request a WithdrawalHalt as herself", async () => {
  const created = await cluster().kubectl(["create", "-f", "-"], {
    user: "alice",
    input: withdrawalHaltYaml("halt-btc", { requestedBy: "alice" }),
  });
  assert.is(created.code, 0, created.stderr);
  const halt = await getJson(cluster(), "withdrawalhalt/halt-btc");
  assert.is(halt.spec.requestedBy, "alice");
});

test("alice may not request one in bob's name, and is told who she is and what she wrote", async () => {
  const result = await cluster().kubectl(["create", "-f", "-"], {
    user: "alice",
    input: withdrawalHaltYaml("halt-as-bob", { requestedBy: "bob" }),
  });
  assert.is.not(result.code, 0);
  assert.match(result.stderr, deniedFor("alice", "bob"));
  const got = await cluster().kubectl(["get", "withdrawalhalt/halt-as-bob", "-n", namespace]);
  assert.match(got.stderr, "NotFound");
});

test("every control kind is covered: each is denied in someone else's name, allowed in one's own", async () => {
  for (const { kind, singular } of controlKinds) {
    const asBob = await dryRun(control(kind, `${singular}-as-bob`, "bob"));
    assert.match(asBob.stderr, deniedFor("alice", "bob"), kind);
    const asAlice = await dryRun(control(kind, `${singular}-as-alice`, "alice"));
    assert.is(asAlice.code, 0, `${kind}: ${asAlice.stderr}`);
  }
});

test("bob may not change the requestedBy of alice's control, nor may alice or the operator", async () => {
  for (const user of ["bob", "alice", "operator"] as const) {
    const result = await patch("withdrawalhalt/halt-btc", { spec: { requestedBy: "bob" } }, user);
    assert.is.not(result.code, 0, user);
    assert.match(
      result.stderr,
      "spec.requestedBy cannot change: it records who asked for this control (alice), not bob",
    );
  }
  assert.is((await getJson(cluster(), "withdrawalhalt/halt-btc")).spec.requestedBy, "alice");
});

test("bob may still edit the rest of alice's control", async () => {
  const reason = "ledger imbalance on BTC and ETH, payouts unsafe";
  const result = await patch("withdrawalhalt/halt-btc", { spec: { reason } }, "bob");
  assert.is(result.code, 0, result.stderr);
  assert.is((await getJson(cluster(), "withdrawalhalt/halt-btc")).spec.reason, reason);
});

test("the autopilot creates controls in its own name only; the operator finalizes them", async () => {
  const forAlice = await cluster().kubectl(["create", `--as=${autopilot}`, "-f", "-"], {
    input: withdrawalHaltYaml("autopilot-for-alice", { requestedBy: "alice" }),
  });
  assert.is(forAlice.code, 1);
  assert.match(forAlice.stderr, `you are ${autopilot}, the spec says alice`);
  const created = await cluster().kubectl(["create", `--as=${autopilot}`, "-f", "-"], {
    input: withdrawalHaltYaml("autopilot-halt", { requestedBy: autopilot }),
  });
  assert.is(created.code, 0, created.stderr);
  for (const name of ["autopilot-halt", "halt-btc"]) {
    const resource = `withdrawalhalt/${name}`;
    const finalized = await patch(resource, { metadata: { finalizers: [finalizer] } }, "operator");
    assert.is(finalized.code, 0, finalized.stderr);
    const status = await cluster().kubectl(
      [
        ...["patch", resource, "-n", namespace, "--subresource=status", "--type=merge"],
        ...["-p", JSON.stringify({ status: { phase: "Applied", message: "halted" } })],
      ],
      { user: "operator" },
    );
    assert.is(status.code, 0, status.stderr);
    const object = await getJson(cluster(), resource);
    assert.equal(object.metadata.finalizers, [finalizer]);
    assert.is(object.status?.phase, "Applied");
    // The lift: the operator removes its finalizer from a control being deleted.
    await kubectlOk(cluster(), ["delete", resource, "-n", namespace, "--wait=false"]);
    const lifted = await patch(resource, { metadata: { finalizers: null } }, "operator");
    assert.is(lifted.code, 0, lifted.stderr);
  }
});

test("Argo CD's controller may sync a committed control in someone's name; its neighbours may not", async () => {
  const asArgoCd = await cluster().kubectl(["create", `--as=${argoCdController}`, "-f", "-"], {
    input: withdrawalHaltYaml("committed-halt", { requestedBy: "alice" }),
  });
  assert.is(asArgoCd.code, 0, asArgoCd.stderr);
  const server = "system:serviceaccount:argocd:argocd-server";
  const asServer = await cluster().kubectl(["create", `--as=${server}`, "-f", "-"], {
    input: withdrawalHaltYaml("server-halt", { requestedBy: "alice" }),
  });
  assert.match(asServer.stderr, deniedFor(server, "alice"));
});

test("an admin is held to the same rule as everyone else", async () => {
  const result = await cluster().kubectl(["create", "--dry-run=server", "-f", "-"], {
    input: withdrawalHaltYaml("admin-as-alice", { requestedBy: "alice" }),
  });
  assert.match(result.stderr, deniedFor("admin", "alice"));
});

test.run();
