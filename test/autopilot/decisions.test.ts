/**
 * @module The autopilot's decisions against a real API server, driven through its webhook
 * with Alertmanager's payloads: authentication, one control per target in a storm, nothing
 * new on re-sends or from both HA peers, a resolution recorded but never lifting a halt, the
 * cooldown after a lift, the rate per rule, the platform budget, dry-run and approval modes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningAutopilot } from "../../operators/autopilot/autopilot";
import { forwardedHeader, webhookPath } from "../../operators/autopilot/webhook-server";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { getJson, kubectlOk, setup } from "../operator/cluster";
import {
  alert,
  autopilotUsername,
  installAutopilot,
  outcomes,
  payload,
  send,
  startAutopilotInProcess,
  webhookToken,
  writeRules,
} from "./autopilot-cluster";

const haltSpec = 'spec: { scope: { services: [payments], currencies: ["{{currency}}"] } }';
const rule = (name: string, alertname: string, mode: string, perWindow = 4) => `
  - name: ${name}
    alert: ${alertname}
    target: [currency]
    control: { kind: WithdrawalHalt, ${haltSpec} }
    ticket: INC-1
    modes: { prod: ${mode} }
    limits: { perWindow: ${perWindow}, windowMinutes: 60, cooldownMinutes: 30 }`;

const rules = `rules:${rule("halt-auto", "TestLedgerImbalance", "auto")}${rule("halt-dry", "TestDryRun", "dryRun")}${rule("halt-approval", "TestApproval", "approval")}${rule("halt-budget", "TestBudget", "auto", 10)}
`;

let cluster: KubeCluster;
let kubeconfig: string;
let leader: RunningAutopilot;
let follower: RunningAutopilot;
let rulesDirectory: string;

const imbalance = (currency: string, extra: Record<string, string> = {}) =>
  alert({ alertname: "TestLedgerImbalance", labels: { currency, ...extra } });

async function halts(): Promise<string[]> {
  const out = await kubectlOk(cluster, ["get", "withdrawalhalts", "-n", "payments", "-o", "name"]);
  return out.split("\n").filter(Boolean).sort();
}

/** Wait for an Event of `reason` on the control whose message includes `text`. */
async function eventSays(name: string, reason: string, text: string): Promise<void> {
  const selector = `involvedObject.name=${name},reason=${reason}`;
  await waitUntil(
    `a ${reason} Event on ${name}`,
    async () =>
      (
        await kubectlOk(cluster, [
          ...["get", "events", "-n", "payments", "--field-selector", selector],
          ...["-o", "jsonpath={.items[*].message}"],
        ])
      ).includes(text),
    { timeoutMs: 15_000 },
  );
}

/** Labels and annotations of a control as read. */
function metadataOf(object: { metadata: object }) {
  return object.metadata as { labels: Record<string, string>; annotations: Record<string, string> };
}

async function metric(autopilot: RunningAutopilot, line: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", autopilot.url))).text();
  const found = text.split("\n").find((candidate) => candidate.startsWith(`${line} `));
  return found ? Number(found.split(" ").at(-1)) : 0;
}

test.before(
  setup(async () => {
    cluster = await startKube();
    kubeconfig = await installAutopilot(cluster);
    rulesDirectory = writeRules(rules);
    leader = await startAutopilotInProcess(kubeconfig, {
      AUTOPILOT_RULES_DIR: rulesDirectory,
      AUTOPILOT_IDENTITY: "autopilot-a",
    });
    await waitUntil("an autopilot leads", async () => leader.isLeader(), { timeoutMs: 30_000 });
    follower = await startAutopilotInProcess(kubeconfig, {
      AUTOPILOT_RULES_DIR: rulesDirectory,
      AUTOPILOT_IDENTITY: "autopilot-b",
    });
  }),
);

test.after(async () => {
  await follower?.stop();
  await leader?.stop();
  await cluster?.stop();
});

test("a webhook without the bearer token, or with another, is a 401 problem", async () => {
  for (const token of [null, "not-the-token-at-all"]) {
    const answer = await send(leader, payload([imbalance("BTC")]), token);
    assert.is(answer.status, 401);
    assert.is(answer.contentType, "application/problem+json");
    assert.is(answer.body.status, 401);
  }
  assert.equal(await halts(), []);
});

test("a payload that is not version 4 is a 400 problem naming the field", async () => {
  const answer = await send(leader, { ...payload([imbalance("BTC")]), version: "3" });
  assert.is(answer.status, 400);
  assert.is(answer.contentType, "application/problem+json");
  assert.match(answer.body.detail, /^version: expected webhook payload version 4/);
  assert.equal(await halts(), []);
});

test("a firing alert creates one halt of that currency, requested by the autopilot", async () => {
  const answer = await send(leader, payload([imbalance("BTC", { instance: "a" })]));
  assert.is(answer.status, 200);
  assert.equal(outcomes(answer), { created: 1 });
  const halt = await getJson(cluster, "withdrawalhalt/halt-auto-btc");
  assert.equal(halt.spec.scope, { services: ["payments"], currencies: ["BTC"] });
  assert.is(halt.spec.requestedBy, autopilotUsername);
  assert.is(halt.spec.ticket, "INC-1");
  assert.match(
    String(halt.spec.reason),
    /^Ledger imbalance detected in payments \(alert TestLedgerImbalance on currency=BTC/,
  );
  const labels = metadataOf(halt).labels;
  assert.is(labels["autopilot.ops.breakwater.dev/rule"], "halt-auto");
  assert.is(labels["autopilot.ops.breakwater.dev/alertname"], "TestLedgerImbalance");
  assert.is(
    labels["autopilot.ops.breakwater.dev/fingerprint"],
    answer.body.decisions[0].fingerprint,
  );
  await eventSays(
    "halt-auto-btc",
    "AutopilotCreated",
    "rule halt-auto created it to be enforced now",
  );
  assert.is(
    await metric(leader, 'autopilot_decisions_total{rule="halt-auto",outcome="created"}'),
    1,
  );
});

test("a storm creates one control per currency; a re-send creates nothing", async () => {
  const storm = [
    ...["a", "b", "c", "d", "e"].map((instance) => imbalance("ETH", { instance })),
    ...["a", "b", "c"].map((instance) => imbalance("SOL", { instance })),
    imbalance("BTC", { instance: "z" }),
  ];
  const first = await send(leader, payload(storm));
  assert.equal(outcomes(first), { created: 2, deduplicated: 7 });
  const again = await send(leader, payload(storm));
  assert.equal(outcomes(again), { deduplicated: 9 });
  assert.equal(await halts(), [
    "withdrawalhalt.ops.breakwater.dev/halt-auto-btc",
    "withdrawalhalt.ops.breakwater.dev/halt-auto-eth",
    "withdrawalhalt.ops.breakwater.dev/halt-auto-sol",
  ]);
});

test("both peers of an HA Alertmanager delivering one alert make one control", async () => {
  assert.ok(!follower.isLeader());
  const body = payload([imbalance("ADA")]);
  const [fromA, fromB] = await Promise.all([send(leader, body), send(follower, body)]);
  assert.is(fromA.status, 200);
  assert.is(fromB.status, 200, JSON.stringify(fromB.body));
  const all = [...fromA.body.decisions, ...fromB.body.decisions]
    .map((d: { outcome: string }) => d.outcome)
    .sort();
  assert.equal(all, ["created", "deduplicated"]);
  assert.ok((await halts()).includes("withdrawalhalt.ops.breakwater.dev/halt-auto-ada"));
});

test("a follower never forwards a forwarded webhook: 503, and Alertmanager retries", async () => {
  const response = await fetch(new URL(webhookPath, follower.url), {
    method: "POST",
    headers: {
      authorization: `Bearer ${webhookToken}`,
      "content-type": "application/json",
      [forwardedHeader]: "autopilot-a",
    },
    body: JSON.stringify(payload([imbalance("DOGE")])),
  });
  assert.is(response.status, 503);
  assert.is(response.headers.get("content-type"), "application/problem+json");
  assert.not.ok((await halts()).includes("withdrawalhalt.ops.breakwater.dev/halt-auto-doge"));
});

test("a resolved alert is recorded on the halt, which stays for a person to lift", async () => {
  const resolved = alert({
    alertname: "TestLedgerImbalance",
    labels: { currency: "BTC" },
    status: "resolved",
  });
  const answer = await send(leader, payload([resolved]));
  assert.equal(outcomes(answer), { resolution_recorded: 1 });
  const halt = await getJson(cluster, "withdrawalhalt/halt-auto-btc");
  assert.not.ok(halt.metadata.deletionTimestamp);
  assert.is(
    metadataOf(halt).annotations["autopilot.ops.breakwater.dev/alert-resolved-at"],
    resolved.endsAt,
  );
  const again = await send(leader, payload([resolved]));
  assert.equal(outcomes(again), { nothing_to_resolve: 1 });
  await eventSays("halt-auto-btc", "AlertResolved", "the control stays until a person deletes it");
});

test("after a person lifts a halt, the same alert is cooled down", async () => {
  await kubectlOk(cluster, ["delete", "withdrawalhalt", "halt-auto-btc", "-n", "payments"], {
    user: "alice",
  });
  const answer = await send(leader, payload([imbalance("BTC")]));
  assert.equal(outcomes(answer), { cooled_down: 1 });
  assert.not.ok((await halts()).includes("withdrawalhalt.ops.breakwater.dev/halt-auto-btc"));
});

test("past its rate a rule creates nothing more", async () => {
  // BTC, ETH, SOL and ADA used the rule's 4 per hour.
  const answer = await send(leader, payload([imbalance("XRP")]));
  assert.equal(outcomes(answer), { rate_limited: 1 });
  assert.is(
    await metric(leader, 'autopilot_decisions_total{rule="halt-auto",outcome="rate_limited"}'),
    1,
  );
});

test("an alert without its target label is invalid and creates nothing", async () => {
  const answer = await send(leader, payload([alert({ alertname: "TestLedgerImbalance" })]));
  assert.equal(outcomes(answer), { invalid: 1 });
  assert.match(answer.body.decisions[0].message, /no currency label/);
});

test("dry-run mode records the decision as a dry-run control; approval mode waits for a person", async () => {
  const dry = await send(
    leader,
    payload([alert({ alertname: "TestDryRun", labels: { currency: "EUR" } })]),
  );
  assert.equal(outcomes(dry), { dry_run: 1 });
  assert.is((await getJson(cluster, "withdrawalhalt/halt-dry-eur")).spec.dryRun, true);
  const approval = await send(
    leader,
    payload([alert({ alertname: "TestApproval", labels: { currency: "GBP" } })]),
  );
  assert.equal(outcomes(approval), { approval_requested: 1 });
  const waiting = await getJson(cluster, "withdrawalhalt/halt-approval-gbp");
  assert.is(metadataOf(waiting).annotations["ops.breakwater.dev/requires-approval"], "true");
});

test("past the platform budget a decision needs a person, and the metric says so", async () => {
  await leader.stop();
  await follower.stop();
  const budgeted = await startAutopilotInProcess(kubeconfig, {
    AUTOPILOT_RULES_DIR: rulesDirectory,
    AUTOPILOT_BUDGET: "6",
    AUTOPILOT_IDENTITY: "autopilot-c",
  });
  try {
    await waitUntil("the budgeted autopilot leads", async () => budgeted.isLeader(), {
      timeoutMs: 30_000,
    });
    // Four automatic halts are in the shared state already (BTC, ETH, SOL, ADA).
    const first = await send(
      budgeted,
      payload([alert({ alertname: "TestBudget", labels: { currency: "DOT" } })]),
    );
    assert.equal(outcomes(first), { created: 1 });
    const second = await send(
      budgeted,
      payload([alert({ alertname: "TestBudget", labels: { currency: "LTC" } })]),
    );
    assert.equal(outcomes(second), { created: 1 });
    const third = await send(
      budgeted,
      payload([alert({ alertname: "TestBudget", labels: { currency: "XLM" } })]),
    );
    assert.equal(outcomes(third), { over_budget: 1 });
    const waiting = await getJson(cluster, "withdrawalhalt/halt-budget-xlm");
    assert.is(metadataOf(waiting).annotations["ops.breakwater.dev/requires-approval"], "true");
    assert.is(await metric(budgeted, "autopilot_budget_remaining"), 0);
  } finally {
    await budgeted.stop();
  }
});

test.run();
