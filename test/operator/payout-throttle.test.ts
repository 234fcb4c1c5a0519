/**
 * @module PayoutThrottle end to end: a real API server, two real payments replicas with
 * their PostgreSQL and Redis, and the operator running with exactly its generated RBAC. The
 * on-call engineer applies and deletes the throttle with kubectl; payouts are tried on every
 * replica.
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

const throttleYaml = `apiVersion: ops.breakwater.dev/v1alpha1
kind: PayoutThrottle
metadata:
  name: psp-degraded
  namespace: payments
spec:
  scope:
    services: [payments]
    currencies: [BTC]
  rate: 2
  per: Minute
  reason: "the PSP is degraded, payouts time out"
  ticket: INC-5150
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

test("a throttle applied with kubectl is Enforced on both replicas and bounds BTC payouts", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: throttleYaml });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Ready", "payoutthrottle/psp-degraded"],
    ...["-n", "payments", "--timeout=30s"],
  ]);
  const object = await getJson(cluster, "payoutthrottle/psp-degraded");
  assert.is(object.status?.phase, "Applied");
  assert.is(object.status?.enforcement?.summary, "2/2");
  const enforced = object.status?.conditions?.find((condition) => condition.type === "Enforced");
  assert.is(enforced?.status, "True");
  const table = await kubectlOk(cluster, ["get", "payoutthrottles", "-n", "payments"]);
  assert.match(table, /psp-degraded\s+payouts in BTC at 2\/minute\s+Applied\s+2\/2\s+INC-5150/);

  const started = Date.now();
  const answers = [];
  for (let index = 0; index < 6; index += 1) {
    answers.push(await tryPayout(payments.urls[index % 2]!, "BTC"));
  }
  const windows = 1 + Math.floor((Date.now() - started) / 60_000);
  const accepted = answers.filter((answer) => answer.status === 201).length;
  assert.ok(accepted >= 2 && accepted <= 2 * windows, `accepted ${accepted}`);
  for (const answer of answers.filter((each) => each.status !== 201)) {
    assert.is(answer.status, 429);
    assert.is(answer.body.control, "payoutthrottle.payments.psp-degraded");
    assert.is(answer.body.ticket, "INC-5150");
    assert.match(answer.body.type ?? "", "payouts/throttled");
  }
  assert.ok(await allAccept(payments.urls, "ETH"), "other currencies are not throttled");
});

test("deleting the throttle lifts it on both replicas", async () => {
  await kubectlOk(cluster, [
    ...["delete", "payoutthrottle", "psp-degraded", "-n", "payments", "--timeout=30s"],
  ]);
  const stored = await call(payments.urls[1]!, "GET", "/admin/v1/controls", undefined, asAdmin);
  assert.equal(stored.body.controls, []);
  await waitUntil("BTC payouts accepted on every replica", () => allAccept(payments.urls, "BTC"));
  for (let index = 0; index < 4; index += 1) {
    assert.is((await tryPayout(payments.urls[index % 2]!, "BTC")).status, 201);
  }
});

test.run();
