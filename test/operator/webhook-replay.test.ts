/**
 * @module WebhookReplay end to end: a real API server, the operator with exactly its generated
 * RBAC, and a payments replica on real PostgreSQL and Redis. A PSP deposit webhook that failed
 * (its account was not yet known) is stored with every attempt and listed as failed; a
 * WebhookReplay applied with kubectl re-processes exactly the stored payload and the wallet is
 * credited once; replaying a succeeded event changes nothing; a changed payload for the same
 * reference never credits; a deposit the database refused is replayed once it accepts again; an
 * unknown event id ends the control Failed.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import {
  asAdmin,
  balanceOf,
  call,
  eventually,
  type Json,
  postDeposit,
} from "../payments/payments-fixture";
import { type ControlObject, getJson, installControls, kubectlOk, setup } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";
import { adminToken, type PaymentsReplicas, startPaymentsReplicas } from "./payments-replicas";

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let operator: RunningOperator;
let url: string;

const wallet = "users:late:wallet";
const reference = `dep-${randomUUID()}`;
const payload = { reference, account: wallet, amount: "2500", currency: "USD" };

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

function replayYaml(name: string, eventId: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: WebhookReplay
metadata: { name: ${name}, namespace: payments }
spec:
  eventId: ${eventId}
  reason: "the PSP's deposit failed while the wallet was not yet opened"
  ticket: INC-7001
  requestedBy: alice
`;
}

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([startKube(), startPaymentsReplicas(1)]);
    url = payments.urls[0]!;
    await installControls(cluster);
    await createTokenSecret(cluster, adminToken);
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: url }),
    });
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), payments?.stop()]);
});

async function events(status?: string): Promise<Json[]> {
  const query = status ? `?status=${status}` : "";
  const listed = await call(url, "GET", `/v1/webhooks/events${query}`, undefined, asAdmin);
  assert.is(listed.status, 200, JSON.stringify(listed.body));
  return listed.body.events;
}

async function finished(name: string): Promise<ControlObject> {
  return eventually(
    `WebhookReplay ${name} to finish`,
    async () => {
      const object = await getJson(cluster, `webhookreplay/${name}`);
      return object.status?.completedAt ? object : undefined;
    },
    60_000,
  );
}

let failedId = "";

test("a deposit for a wallet not yet opened is stored with every attempt and listed as failed", async () => {
  const first = await postDeposit(url, payload);
  assert.is(first.status, 422, JSON.stringify(first.body));
  assert.match(first.body.type, /accounts\/not-found$/);
  // The PSP retries the same bytes: the same event, one more attempt.
  assert.is((await postDeposit(url, payload)).status, 422);
  const failed = (await events("failed")).filter((event) => event.reference === reference);
  assert.is(failed.length, 1);
  const [event] = failed;
  assert.is(event.attempts, 2);
  assert.match(event.lastError, wallet);
  assert.equal(JSON.parse(event.payload), payload);
  assert.not.ok((await events("succeeded")).some((other) => other.id === event.id));
  failedId = event.id;
  const unauthenticated = await call(url, "GET", "/v1/webhooks/events", undefined, {
    authorization: "Bearer not-the-admin-token",
  });
  assert.is(unauthenticated.status, 401);
});

test("a WebhookReplay re-processes the stored payload once the wallet exists and credits it", async () => {
  const created = await call(url, "POST", "/v1/accounts", { name: wallet, type: "user" });
  assert.is(created.status, 201, JSON.stringify(created.body));
  await apply(replayYaml("late-wallet", failedId));
  const object = await finished("late-wallet");
  assert.is(object.status?.phase, "Completed", object.status?.message);
  assert.is(object.status?.outcome, "succeeded");
  assert.is(object.status?.attempts, 3);
  assert.ok(object.status?.finishedAt);
  assert.is(await balanceOf(url, wallet), 2500n);
  const [event] = (await events("succeeded")).filter((found) => found.id === failedId);
  assert.is(event?.attempts, 3);
  assert.not.ok((await events("failed")).some((found) => found.id === failedId));
  const audit = await payments.fixture.pool.query(
    "SELECT actor, ticket FROM audit_log WHERE action = 'webhook.replay' AND subject = $1",
    [`webhook-events:${failedId}`],
  );
  assert.equal(audit.rows, [{ actor: "alice", ticket: "INC-7001" }]);
  const table = await kubectlOk(cluster, ["get", "webhookreplays", "-n", "payments"]);
  assert.match(table, new RegExp(`late-wallet\\s+${failedId}\\s+succeeded\\s+Completed`));
});

test("replaying a succeeded event, or repeating a run, changes nothing", async () => {
  await apply(replayYaml("late-wallet-again", failedId));
  const object = await finished("late-wallet-again");
  assert.is(object.status?.phase, "Completed", object.status?.message);
  assert.is(await balanceOf(url, wallet), 2500n);
  // What the operator sends when it resumes a run it was interrupted in.
  const first = await getJson<ControlObject & { metadata: { uid: string } }>(
    cluster,
    "webhookreplay/late-wallet",
  );
  const again = await call(
    url,
    "POST",
    `/admin/v1/webhooks/events/${failedId}/replay`,
    { reference: first.metadata.uid, actor: "alice", reason: "resumed run", ticket: "INC-7001" },
    asAdmin,
  );
  assert.is(again.status, 200, JSON.stringify(again.body));
  assert.equal(
    [again.body.outcome, again.body.attempt, again.body.repeated],
    ["succeeded", 3, true],
  );
  assert.is(await balanceOf(url, wallet), 2500n);
  const elsewhere = await call(
    url,
    "POST",
    `/admin/v1/webhooks/events/${randomUUID()}/replay`,
    { reference: first.metadata.uid, actor: "alice", reason: "wrong event", ticket: "INC-7001" },
    asAdmin,
  );
  assert.is(elsewhere.status, 409, JSON.stringify(elsewhere.body));
  assert.is(elsewhere.body.field, "reference");
  const credits = await payments.fixture.pool.query(
    "SELECT count(*)::int AS count FROM deposits WHERE reference = $1",
    [reference],
  );
  assert.is(credits.rows[0].count, 1);
});

test("a changed payload for a credited reference is stored apart and its replay never credits", async () => {
  const changed = { ...payload, amount: "999999" };
  const refused = await postDeposit(url, changed);
  assert.is(refused.status, 409, JSON.stringify(refused.body));
  const [drift] = (await events("failed")).filter((event) => event.reference === reference);
  assert.ok(drift, "the changed delivery is listed as failed");
  assert.is.not(drift.id, failedId);
  await apply(replayYaml("drifted", drift.id));
  const object = await finished("drifted");
  assert.is(object.status?.phase, "Failed");
  assert.is(object.status?.outcome, "failed");
  assert.match(object.status?.message ?? "", "different payload");
  assert.is(await balanceOf(url, wallet), 2500n);
});

test("a deposit the database refused is listed failed, and replayed once it accepts again", async () => {
  const account = "users:refused:wallet";
  const created = await call(url, "POST", "/v1/accounts", { name: account, type: "user" });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const { pool } = payments.fixture;
  await pool.query(`CREATE FUNCTION refuse_deposits() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'deposits are refused during maintenance'; END $$`);
  await pool.query(`CREATE TRIGGER refuse_deposits BEFORE INSERT ON deposits
    FOR EACH ROW EXECUTE FUNCTION refuse_deposits()`);
  const refused = { reference: `dep-${randomUUID()}`, account, amount: "700", currency: "USD" };
  const answer = await postDeposit(url, refused);
  assert.ok(answer.status >= 500, `${answer.status} ${JSON.stringify(answer.body)}`);
  const [event] = (await events("failed")).filter((found) => found.reference === refused.reference);
  assert.ok(event, "the refused delivery is listed as failed");
  assert.match(event.lastError, "deposits are refused during maintenance");
  assert.is(await balanceOf(url, account), 0n);
  await pool.query("DROP TRIGGER refuse_deposits ON deposits; DROP FUNCTION refuse_deposits()");
  await apply(replayYaml("after-maintenance", event.id));
  const object = await finished("after-maintenance");
  assert.is(object.status?.phase, "Completed", object.status?.message);
  assert.is(object.status?.outcome, "succeeded");
  assert.is(await balanceOf(url, account), 700n);
});

test("an unknown event id ends the WebhookReplay Failed, saying so", async () => {
  const unknown = randomUUID();
  await apply(replayYaml("unknown-event", unknown));
  const object = await finished("unknown-event");
  assert.is(object.status?.phase, "Failed");
  assert.match(object.status?.message ?? "", `no stored webhook event ${unknown}`);
});

test.run();
