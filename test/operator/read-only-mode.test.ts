/**
 * @module The data-plane levers of the ops handbook end to end: a real API server, two real
 * payments replicas, and the operator with its generated RBAC. The on-call engineer applies
 * each control with kubectl.
 * - ReadOnlyMode: both replicas refuse payouts with 503 naming it and still answer reads;
 *   deleting it returns both to writing.
 * - SessionRevocation ("force logout tokens" after a leak): both replicas refuse the tokens
 *   issued before its cut-off, even ones they verified and cached before, while later tokens
 *   and users outside its subjects pass; deleting it lets the old tokens through again.
 * - RedisFailover (the handbook's `REDIS_SECONDARY` flip), with two real Redis servers: both
 *   replicas move to the secondary and say so in the status, keep moving money with the
 *   primary stopped, and return to the primary when it is deleted; a second payments
 *   deployment without REDIS_SECONDARY refuses it (Failed, PreconditionFailed).
 */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { asAdmin, bearerFor, call } from "../payments/payments-fixture";
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
/** The payments replicas' secondary Redis, and the Redis of the deployment without one. */
let secondary: RedisServer;
let other: RedisServer;

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
    [secondary, other] = await Promise.all([startRedis(), startRedis()]);
    [cluster, payments] = await Promise.all([
      startKube(),
      startPaymentsReplicas(2, { REDIS_SECONDARY: secondary.url }),
    ]);
    // A second payments deployment (its own database and Redis) with no secondary Redis.
    const withoutSecondary = await payments.fixture.startReplica({
      DATABASE_URL: await payments.fixture.postgres.createDatabase(),
      REDIS_URL: other.url,
    });
    await installControls(cluster);
    await createTokenSecret(cluster, adminToken);
    const more = {
      "payments-eu": { url: withoutSecondary.url, tokenOf: "payments", kinds: ["RedisFailover"] },
    };
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: payments.urls[0]!, more }),
    });
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), payments?.stop(), secondary?.stop(), other?.stop()]);
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

/** The status `url` answers `headers` reading the caller's own account (200, or 404 before it has one). */
async function readOwnAccount(url: string, subject: string, headers: { authorization: string }) {
  return call(url, "GET", `/v1/accounts/users:${subject}:wallet`, undefined, headers);
}

/** Seconds since the epoch of a JWT's `iat`. */
function issuedAtOf(headers: { authorization: string }): number {
  const payload = headers.authorization.split(".")[1]!;
  return JSON.parse(Buffer.from(payload, "base64url").toString()).iat as number;
}

/** alice's token from before the revocation. */
let oldAlice: { authorization: string };

test("a SessionRevocation signs out the named user's older tokens on both replicas, and only those", async () => {
  oldAlice = await bearerFor("alice");
  const bob = await bearerFor("bob");
  // Verified and cached by both replicas before the revocation.
  for (const url of payments.urls) {
    for (const [subject, headers] of [
      ["alice", oldAlice],
      ["bob", bob],
    ] as const) {
      const answer = await readOwnAccount(url, subject, headers);
      assert.ok([200, 404].includes(answer.status), `${subject}: ${answer.status}`);
    }
  }
  const cutOffSeconds = issuedAtOf(oldAlice) + 1;
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: `apiVersion: ops.breakwater.dev/v1alpha1
kind: SessionRevocation
metadata:
  name: alice-laptop-stolen
  namespace: payments
spec:
  services: [payments]
  subjects: [alice]
  issuedBefore: "${new Date(cutOffSeconds * 1000).toISOString()}"
  reason: "alice's laptop was stolen with a signed-in session"
  ticket: SEC-77
  requestedBy: alice
`,
  });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Ready", "sessionrevocation/alice-laptop-stolen"],
    ...["-n", "payments", "--timeout=30s"],
  ]);
  const object = await getJson(cluster, "sessionrevocation/alice-laptop-stolen", "payments");
  assert.is(object.status?.enforcement?.summary, "2/2");
  await waitUntil("the clock passes the cut-off", async () => Date.now() / 1000 >= cutOffSeconds);
  const newAlice = await bearerFor("alice");
  for (const url of payments.urls) {
    const refused = await readOwnAccount(url, "alice", oldAlice);
    assert.is(refused.status, 401);
    assert.match(refused.body.type ?? "", /auth\/session-revoked$/);
    assert.is(refused.body.control, "sessionrevocation.payments.alice-laptop-stolen");
    assert.is(refused.body.ticket, "SEC-77");
    assert.match(refused.body.detail ?? "", /sign in again/);
    assert.match(refused.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    // A token issued after the cut-off, and another user's older token, still pass.
    for (const [subject, headers] of [
      ["alice", newAlice],
      ["bob", bob],
    ] as const) {
      const answer = await readOwnAccount(url, subject, headers);
      assert.ok([200, 404].includes(answer.status), `${subject}: ${answer.status}`);
    }
  }
});

test("deleting the SessionRevocation lets the older tokens through again", async () => {
  await kubectlOk(cluster, [
    ...["delete", "sessionrevocation", "alice-laptop-stolen", "-n", "payments", "--timeout=30s"],
  ]);
  await waitUntil("the old token is accepted on every replica", async () => {
    const answers = await Promise.all(
      payments.urls.map((url) => readOwnAccount(url, "alice", oldAlice)),
    );
    return answers.every((answer) => answer.status !== 401);
  });
});

function redisFailoverYaml(name: string, service: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: RedisFailover
metadata:
  name: ${name}
  namespace: payments
spec:
  services: [${service}]
  reason: "the primary Redis cluster is down"
  ticket: INC-7072
  requestedBy: alice
`;
}

/** The Redis a replica uses, as its `redis_active_endpoint` gauge says. */
async function activeRedis(url: string): Promise<string | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return /redis_active_endpoint\{[^}]*endpoint="(primary|secondary)"[^}]*\} 1/.exec(text)?.[1];
}

interface FailoverStatus {
  replicas?: { service: string; id: string; redis?: string }[];
}

test("a RedisFailover applied with kubectl moves both replicas to the secondary Redis", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: redisFailoverYaml("redis-a-down", "payments"),
  });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Ready", "redisfailover/redis-a-down"],
    ...["-n", "payments", "--timeout=30s"],
  ]);
  const object = await getJson(cluster, "redisfailover/redis-a-down");
  assert.is(object.status?.phase, "Applied");
  assert.is(object.status?.enforcement?.summary, "2/2");
  const replicas = (object.status as FailoverStatus).replicas ?? [];
  assert.is(replicas.length, 2, JSON.stringify(replicas));
  for (const replica of replicas) assert.is(replica.redis, "secondary");
  const onSecondary = new Redis(secondary.url);
  try {
    assert.is((await onSecondary.keys("controls:payments:replica:*")).length, 2);
  } finally {
    onSecondary.disconnect();
  }
  for (const url of payments.urls) {
    assert.is(await activeRedis(url), "secondary");
    assert.is((await tryPayout(url, "ETH")).status, 201);
  }
});

test("with the primary Redis stopped, both replicas stay ready and keep paying out", async () => {
  await payments.fixture.redis.stop();
  for (const url of payments.urls) {
    const ready = await fetch(`${url}/health/ready`);
    assert.is(ready.status, 200, await ready.text());
    assert.is((await tryPayout(url, "ETH")).status, 201);
  }
});

test("deleting the RedisFailover returns both replicas to the primary", async () => {
  await payments.fixture.redis.start();
  await kubectlOk(cluster, [
    ...["delete", "redisfailover", "redis-a-down", "-n", "payments", "--timeout=30s"],
  ]);
  await waitUntil("both replicas on the primary", async () => {
    const endpoints = await Promise.all(payments.urls.map(activeRedis));
    return endpoints.every((endpoint) => endpoint === "primary");
  });
  await waitUntil("payouts accepted on every replica", () => allAccept(payments.urls, "ETH"));
});

test("a deployment without REDIS_SECONDARY refuses it: Failed, reason PreconditionFailed", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: redisFailoverYaml("eu-redis-down", "payments-eu"),
  });
  await kubectlOk(cluster, [
    ...["wait", "--for=jsonpath={.status.phase}=Failed", "redisfailover/eu-redis-down"],
    ...["-n", "payments", "--timeout=30s"],
  ]);
  const object = await getJson(cluster, "redisfailover/eu-redis-down");
  const ready = object.status?.conditions?.find((condition) => condition.type === "Ready");
  assert.is(ready?.status, "False");
  assert.is(ready?.reason, "PreconditionFailed");
  assert.match(ready?.message ?? "", /REDIS_SECONDARY is not set/);
  await kubectlOk(cluster, [
    ...["delete", "redisfailover", "eu-redis-down", "-n", "payments", "--timeout=30s"],
  ]);
});

test.run();
