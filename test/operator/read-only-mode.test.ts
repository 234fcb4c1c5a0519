/**
 * @module ReadOnlyMode end to end: a real API server, two real payments replicas, and the
 * operator with its generated RBAC. The on-call engineer applies the control with kubectl;
 * both replicas refuse payouts with 503 naming it and still answer reads; deleting it returns
 * both to writing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { asAdmin, call } from "../payments/payments-fixture";
import { getJson, installControls, kubectlOk, setup } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";
import {
  adminToken,
  allAccept,
  type PaymentsReplicas,
  startPaymentsReplicas,
  tryPayout,
} from "./payments-replicas";

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let operator: RunningOperator;

const readOnlyYaml = `apiVersion: ops.breakwater.dev/v1alpha1
kind: ReadOnlyMode
metadata:
  name: primary-failover
  namespace: payments
spec:
  services: [payments]
  reason: "the primary database is failing over"
  ticket: INC-6060
  requestedBy: alice
`;

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([startKube(), startPaymentsReplicas(2)]);
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

test("read-only mode applied with kubectl is Enforced on both replicas: writes 503, reads 200", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: readOnlyYaml });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Ready", "readonlymode/primary-failover"],
    ...["-n", "payments", "--timeout=30s"],
  ]);
  const object = await getJson(cluster, "readonlymode/primary-failover");
  assert.is(object.status?.phase, "Applied");
  assert.is(object.status?.enforcement?.summary, "2/2");
  for (const url of payments.urls) {
    const refused = await tryPayout(url, "ETH");
    assert.is(refused.status, 503);
    assert.match(refused.body.type ?? "", /service\/read-only$/);
    assert.is(refused.body.control, "readonlymode.payments.primary-failover");
    assert.is(refused.body.ticket, "INC-6060");
    const read = await call(url, "GET", "/v1/accounts/users:treasury:eth", undefined, asAdmin);
    assert.is(read.status, 200);
  }
});

test("deleting it returns both replicas to writing", async () => {
  await kubectlOk(cluster, [
    ...["delete", "readonlymode", "primary-failover", "-n", "payments", "--timeout=30s"],
  ]);
  await waitUntil("payouts accepted on every replica", () => allAccept(payments.urls, "ETH"));
});

test.run();
