/**
 * @module `npm start` as a user runs it: one command brings up the platform on real servers,
 * prints the endpoints, the kubeconfig and three things to try; every endpoint answers; the
 * first thing to try (halt BTC payouts with kubectl as alice) works; a second `npm start`
 * says one runs; Ctrl-C stops everything and frees every port.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { platformClient } from "../../drills/platform-client";
import { signRequest } from "../../services/exchange-edge/request-signature";
import { createPool } from "../../services/kit/db";
import { freePort } from "../harness/process";
import { setup } from "../operator/cluster";
import { adminToken } from "../payments/payments-fixture";
import {
  groupAlive,
  type PlatformProcess,
  platformPorts,
  startPlatformProcess,
} from "./platform-process";

const exec = promisify(execFile);
const root = resolve(import.meta.dirname, "..", "..");
let platform: PlatformProcess;

/** Run a command in the checkout; its exit code and output, never a throw. */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once("error", () => resolvePromise(false));
  });
}

test.before(
  setup(async () => {
    platform = await startPlatformProcess();
  }),
);

test.after(async () => {
  await platform?.interrupt();
});

test("it prints the endpoints, the kubeconfig to use and three things to try", () => {
  const output = platform.output();
  for (const name of [
    "status page",
    "payments",
    "purchasing",
    "exchange",
    "exchange-edge",
    "escrow",
    "prometheus",
    "alertmanager",
    "kubernetes",
    "autopilot",
    "operator",
  ])
    assert.match(output, new RegExp(`^  ${name} +http`, "m"), name);
  assert.match(output, `export KUBECONFIG=`);
  assert.match(output, "kubectl apply -f environments/controls/examples/halt-btc-withdrawals.yaml");
  assert.match(output, "npm run drill -- ledger-imbalance");
  assert.match(output, /^ {2}exchange ws +ws:\/\/127\.0\.0\.1:\d+\/ws$/m);
  assert.match(output, "npm run smoke -- exchange");
  console.log(output.match(/breakwater is up in [\d.]+ s/)?.[0]);
  assert.match(output, platform.state.endpoints.statusPage);
  assert.not.match(output, platform.state.sandboxToken, "the sandbox token is never printed");
});

test("every endpoint answers", async () => {
  const { endpoints, services } = platform.state;
  for (const [name, service] of Object.entries(services)) {
    for (const url of service.urls)
      assert.is((await fetch(`${url}/health/ready`)).status, 200, `${name} ${url}`);
  }
  assert.is((await fetch(`${endpoints.prometheus}/-/ready`)).status, 200);
  assert.is((await fetch(`${endpoints.alertmanager}/-/ready`)).status, 200);
  assert.is((await fetch(`${endpoints.operator}/metrics`)).status, 200);
  const page = await fetch(endpoints.statusPage);
  assert.is(page.status, 200);
  assert.match(await page.text(), "All Systems Operational");
  const rules = (await (await fetch(`${endpoints.prometheus}/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string }[] }[] };
  };
  const names = rules.data.groups.flatMap((group: { rules: { name: string }[] }) =>
    group.rules.map((rule) => rule.name),
  );
  for (const alert of [
    "PaymentsLedgerImbalance",
    "HighPurchaseFailureRate",
    "PurchasingProviderBreakerFlapping",
    "EscrowStuckTransactions",
  ])
    assert.ok(names.includes(alert), alert);
});

test("the first thing to try: alice halts BTC payouts with kubectl, every replica refuses them", async () => {
  const client = platformClient(platform.state);
  const env = { ...process.env, KUBECONFIG: platform.state.kubeconfigs.alice };
  const example = join("environments", "controls", "examples", "halt-btc-withdrawals.yaml");
  const applied = await run("kubectl", ["apply", "-f", example], env);
  assert.is(applied.code, 0, applied.stderr);
  const waited = await run(
    "kubectl",
    [
      "wait",
      "--for=condition=Enforced",
      "withdrawalhalt/halt-btc-withdrawals",
      "-n",
      "breakwater-services",
      "--timeout=120s",
    ],
    env,
  );
  assert.is(waited.code, 0, waited.stderr);
  const listed = await run("kubectl", ["get", "controls", "-A"], env);
  assert.match(listed.stdout, /halt-btc-withdrawals .* Applied +2\/2 +CHG-2048/);
  for (const url of client.replicas("payments")) {
    const refused = await client.payout(url, "BTC");
    assert.is(refused.status, 423);
    assert.is(refused.body.ticket, "CHG-2048");
  }
  const deleted = await run("kubectl", ["delete", "-f", example, "--timeout=60s"], env);
  assert.is(deleted.code, 0, deleted.stderr);
  await client.close();
});

test("the fourth thing to try: the printed curl places demo-buyer's order on the exchange", async () => {
  const curl = platform
    .output()
    .split("\n")
    .find((line) => line.trim().startsWith("curl -s -X POST"));
  assert.ok(curl, "a curl line");
  const placed = await run("bash", ["-c", `${curl!.trim()} -w '\\n%{http_code}'`], process.env);
  assert.is(placed.code, 0, placed.stderr);
  const [body, status] = placed.stdout.trim().split("\n");
  assert.is(status, "201", body);
  const order = JSON.parse(body!) as { trader: string; status: string; symbol: string };
  assert.equal([order.trader, order.symbol, order.status], ["demo-buyer", "BTC-USD", "open"]);
});

test("an order signed with an edge API key reaches the core as the key's trader", async () => {
  const edge = platform.state.services["exchange-edge"]!.urls[0]!;
  const issued = await fetch(`${edge}/admin/v1/api-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ trader: "demo-seller" }),
  });
  assert.is(issued.status, 201);
  const key = (await issued.json()) as { keyId: string; secret: string };
  const body = JSON.stringify({
    clientOrderId: `edge-${randomUUID()}`,
    symbol: "ETH-USD",
    side: "sell",
    type: "limit",
    price: "900000",
    quantity: "10000000",
  });
  const timestamp = String(Date.now());
  const nonce = randomUUID();
  const signature = signRequest(key.secret, {
    ...{ method: "POST", path: "/v1/orders", timestamp, nonce, body },
  });
  const placed = await fetch(`${edge}/v1/orders`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": key.keyId,
      "x-timestamp": timestamp,
      "x-nonce": nonce,
      "x-signature": signature,
    },
    body,
  });
  const order = (await placed.json()) as { orderId: string; trader: string; symbol: string };
  assert.is(placed.status, 201, JSON.stringify(order));
  assert.equal([order.trader, order.symbol], ["demo-seller", "ETH-USD"]);
  // The core keeps it as demo-seller's own order.
  const token = readFileSync(platform.state.traderTokens["demo-seller"]!, "utf8");
  const core = platform.state.services.exchange!.urls[0]!;
  const read = await fetch(`${core}/v1/orders/${order.orderId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.is(read.status, 200);
});

test("Gate G0: npm run smoke -- exchange passes against the running platform, step by step", async () => {
  const smoke = await run("npm", ["run", "smoke", "--silent", "--", "exchange"], platform.env);
  console.log(smoke.stdout);
  assert.is(smoke.code, 0, `${smoke.stdout}\n${smoke.stderr}`);
  for (const step of [
    "exchange ready",
    "websocket subscribed",
    "order accepted",
    "order matched",
    "settlement appended",
    "TradeExecuted delivered",
    "CandleUpdated delivered",
  ])
    assert.match(smoke.stdout, new RegExp(`^ok +${step} \\(\\d+ ms\\)`, "m"), step);
  assert.match(smoke.stdout, /^smoke_g0_success=true$/m);
  assert.not.match(smoke.stdout, platform.state.sandboxToken, "no secret printed");
});

test("Gate G0 with no edge at its URL fails at the WebSocket step and says where to look", async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const smoke = await run(
    "npm",
    ["run", "smoke", "--silent", "--", "exchange", "--edge-url", closed, "--timeout-seconds", "30"],
    platform.env,
  );
  assert.is(smoke.code, 1, smoke.stdout);
  assert.match(smoke.stdout, /^smoke_g0_success=false step="websocket subscribed"$/m);
  assert.match(
    smoke.stdout,
    /^look at: .*health\/ready.*ws_market_data_up.*ExchangeKafkaOutage\.md/m,
  );
});

test("Gate G0 while settlement cannot post fails at the settlement step and names its runbook", async () => {
  // Settlement credits the buyer's BTC; holding that balance row stalls it (and nothing else).
  const pool = createPool(platform.state.services.exchange!.databaseUrl, undefined, { max: 1 });
  const blocker = await pool.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query(
      "SELECT 1 FROM balances WHERE account = 'exchange:demo-buyer' AND currency = 'BTC' FOR UPDATE",
    );
    const smoke = await run(
      "npm",
      ["run", "smoke", "--silent", "--", "exchange", "--timeout-seconds", "10"],
      platform.env,
    );
    assert.is(smoke.code, 1, smoke.stdout);
    assert.match(smoke.stdout, /^ok +order matched/m);
    assert.match(smoke.stdout, /^smoke_g0_success=false step="settlement appended"$/m);
    assert.match(
      smoke.stdout,
      /^look at: psql .*settlement_consumer_lag.*ExchangeSettlementStalled\.md/m,
    );
  } finally {
    await blocker.query("ROLLBACK");
    blocker.release();
    await pool.end();
  }
});

test("a usage error of the smoke is one line and exit 2", async () => {
  const smoke = await run(
    "npm",
    ["run", "smoke", "--silent", "--", "exchange", "--symbol"],
    platform.env,
  );
  assert.is(smoke.code, 2);
  assert.is(smoke.stderr.trim().split("\n").length, 1, smoke.stderr);
  assert.match(smoke.stderr, "--symbol");
});

test("the seventh thing to try: demo-buyer signs in to escrow with the printed password and code", async () => {
  const lines = platform.output().split("\n");
  const login = lines.find((line) => line.includes("/api/v1/auth/login"))!.trim();
  const otp = lines.find((line) => line.includes("/api/v1/auth/otp"))!.trim();
  const challenge = await run("bash", ["-c", login], process.env);
  assert.is(challenge.code, 0, challenge.stderr);
  const { challengeId } = JSON.parse(challenge.stdout) as { challengeId: string };
  const command = otp.replace("<challengeId from above>", challengeId);
  const signedIn = await run("bash", ["-c", command], process.env);
  assert.is(signedIn.code, 0, signedIn.stderr);
  const session = JSON.parse(signedIn.stdout) as { accessToken: string; scope: string };
  assert.is(session.scope, "escrow:trade", signedIn.stdout);
  assert.not.match(
    platform.output(),
    readFileSync(platform.state.escrowLogins["demo-buyer"]!.login, "utf8"),
  );
  // The session works on every replica: an unknown transaction is a 404, not a 401.
  for (const url of platform.state.services.escrow!.urls) {
    const read = await fetch(`${url}/api/v1/transactions/${randomUUID()}`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    assert.is(read.status, 404, url);
  }
});

test("a second npm start while one runs says so and starts nothing", async () => {
  const second = await run("npm", ["start", "--silent"], platform.env);
  assert.is(second.code, 1);
  assert.match(second.stderr, `breakwater already runs (pid ${platform.state.pid}`);
});

test("Ctrl-C stops everything: no port stays open, no process stays", async () => {
  const ports = platformPorts(platform.state);
  assert.ok(ports.length >= 10, `ports: ${ports.join(", ")}`);
  const before = await Promise.all(ports.map(listening));
  assert.ok(before.every(Boolean), "every port listens before");
  await platform.interrupt();
  assert.match(platform.output(), "SIGINT: stopping breakwater");
  const after = await Promise.all(ports.map(listening));
  assert.equal(
    ports.filter((_, index) => after[index]),
    [],
    "ports still open",
  );
  assert.not.ok(groupAlive(platform.process.child.pid!), "the process group is gone");
  assert.not.ok(existsSync(join(platform.env.BREAKWATER_STATE_DIR!, "platform.json")));
  assert.not.ok(existsSync(platform.state.kubeconfigs.alice!), "kubeconfigs of a gone cluster");
});

test.run();
