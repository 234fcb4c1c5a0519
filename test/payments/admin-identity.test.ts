/**
 * @module People on admin endpoints are who the real API server says they are: a break-glass
 * control change through payments' admin API is authorized by RBAC (SubjectAccessReview) and
 * audited under the authenticated name, whatever the body claims; the operator's service token
 * keeps working as before; the webhook retries queue is listed for whom RBAC allows; a service without identity review refuses people; a bad
 * ADMIN_IDENTITY_KUBECONFIG stops the start with one line; and with the API server gone,
 * people are refused with 503 (fail closed) while the operator's token still works.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../../services/kit/config";
import {
  asAdmin,
  call,
  type PaymentsFixture,
  type PaymentsReplica,
  startPaymentsFixture,
} from "./payments-fixture";
import { type ResolverCluster, startResolverCluster } from "./payout-resolvers";

let fixture: PaymentsFixture;
let people: ResolverCluster;
let replica: PaymentsReplica;

test.before(async () => {
  [fixture, people] = await Promise.all([startPaymentsFixture(), startResolverCluster()]);
  replica = await fixture.startReplica(people.env);
});

test.after(async () => {
  await fixture?.stop();
  await people?.stop();
});

function halt(id: string, headers: Record<string, string>, actor = "mallory") {
  return call(
    replica.url,
    "PUT",
    `/admin/v1/controls/${id}`,
    {
      kind: "WithdrawalHalt",
      spec: { scope: { services: ["payments"], currencies: ["USD"] } },
      source: { uid: randomUUID(), generation: 1, namespace: "payments", name: id },
      reason: "break-glass: the operator is down",
      ticket: "INC-4242",
      actor,
    },
    headers,
  );
}

async function auditActors(id: string): Promise<string[]> {
  const rows = await fixture.pool.query<{ actor: string; action: string }>(
    "SELECT actor, action FROM audit_log WHERE subject LIKE $1 ORDER BY id",
    [`%${id}%`],
  );
  return rows.rows.map((row) => `${row.action} by ${row.actor}`);
}

test("a person RBAC allows changes controls break-glass and is audited by name, not by body", async () => {
  const put = await halt("break-glass-1", people.as("carol"));
  assert.is(put.status, 200, JSON.stringify(put.body));
  assert.is(put.body.actor, "carol");
  const lift = await call(
    replica.url,
    "DELETE",
    "/admin/v1/controls/break-glass-1",
    { actor: "mallory", reason: "operator back" },
    people.as("carol"),
  );
  assert.is(lift.status, 200, JSON.stringify(lift.body));
  assert.equal(await auditActors("break-glass-1"), [
    "control.put by carol",
    "control.lift by carol",
  ]);
});

test("a person RBAC does not allow is refused 403 naming who and what, and nothing changes", async () => {
  const put = await halt("break-glass-2", people.as("bob"));
  assert.is(put.status, 403);
  assert.match(put.headers.get("content-type") ?? "", /problem\+json/);
  assert.match(put.body.type, /auth\/forbidden$/);
  assert.match(put.body.detail, /^bob may not update controls\.ops\.breakwater\.dev "payments"/);
  assert.is(put.body.actor, "bob");
  const list = await call(replica.url, "GET", "/admin/v1/controls", undefined, people.as("bob"));
  assert.is(list.status, 403);
  assert.equal(await auditActors("break-glass-2"), []);
  const stranger = await halt("break-glass-2", { authorization: "Bearer not-a-kubernetes-token" });
  assert.is(stranger.status, 401);
  assert.match(stranger.headers.get("www-authenticate") ?? "", /^Bearer realm="admin"/);
});

test("the webhook retries queue is listed for a person RBAC grants list on webhooks, not for others", async () => {
  const allowed = await call(
    replica.url,
    "GET",
    "/v1/webhooks/events?status=failed",
    undefined,
    people.as("alice"),
  );
  assert.is(allowed.status, 200, JSON.stringify(allowed.body));
  assert.equal([allowed.body.limit, allowed.body.offset], [50, 0]);
  const refused = await call(
    replica.url,
    "GET",
    "/v1/webhooks/events",
    undefined,
    people.as("bob"),
  );
  assert.is(refused.status, 403);
  assert.match(refused.body.detail, /^bob may not list webhooks\.payments\.breakwater\.dev/);
  const invalid = await call(
    replica.url,
    "GET",
    "/v1/webhooks/events?status=lost",
    undefined,
    asAdmin,
  );
  assert.is(invalid.status, 422);
});

test("the operator's service token works as before: the body names the requester", async () => {
  const put = await halt("operator-1", asAdmin, "alice");
  assert.is(put.status, 200, JSON.stringify(put.body));
  assert.is(put.body.actor, "alice");
  assert.equal(await auditActors("operator-1"), ["control.put by alice"]);
});

test("a replica without identity review refuses people with 401 naming the setting", async () => {
  const plain = await fixture.startReplica();
  const answer = await call(plain.url, "GET", "/admin/v1/controls", undefined, people.as("carol"));
  assert.is(answer.status, 401);
  assert.match(answer.body.detail, /ADMIN_IDENTITY_KUBECONFIG/);
  assert.is((await call(plain.url, "GET", "/admin/v1/controls", undefined, asAdmin)).status, 200);
});

test("an unreadable ADMIN_IDENTITY_KUBECONFIG stops the start with one line", async () => {
  const missing = join(people.cluster.dir, "no-such-kubeconfig");
  try {
    await fixture.startReplica({ ADMIN_IDENTITY_KUBECONFIG: missing });
    assert.unreachable("started");
  } catch (error) {
    assert.instance(error, ConfigError);
    const message = (error as Error).message;
    assert.match(message, /^ADMIN_IDENTITY_KUBECONFIG: expected a readable kubeconfig/);
    assert.not.match(message, /\n/);
  }
});

test("with the API server gone people are refused 503 and the operator's token still works", async () => {
  await people.cluster.stop();
  const put = await halt("break-glass-3", people.as("carol"));
  assert.is(put.status, 503);
  assert.match(put.body.type, /dependency\/unavailable$/);
  assert.equal(put.body.failed, ["kubernetes"]);
  assert.equal(await auditActors("break-glass-3"), []);
  assert.is((await call(replica.url, "GET", "/admin/v1/controls", undefined, asAdmin)).status, 200);
});

test.run();
