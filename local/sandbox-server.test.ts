/**
 * @module The sandbox API over real outside parties and a real Kafka broker: faults, tokens, and
 * problem+json refusals.
 */
import { connect } from "node:net";
import { Kafka, logLevel } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { verifyWebhookSignature } from "../services/kit/webhook-signature";
import { startKafka } from "../test/harness/kafka";
import { readBody, sendJson, startOutsideParty } from "../test/harness/outside-party";
import { type OutsideParties, startOutsideParties } from "./outside-parties";
import { sandboxApp } from "./sandbox-server";

const token = "sandbox-token-for-tests";
let parties: OutsideParties;
let app: ReturnType<typeof sandboxApp>;

function send(method: string, path: string, body?: unknown, bearer = token) {
  return app.request(path, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test.before(async () => {
  parties = await startOutsideParties();
  app = sandboxApp(parties, token);
});

test.after(async () => {
  await parties?.stop();
});

test("a provider told to fail answers orders with 500, and heals", async () => {
  const order = () =>
    fetch(`${parties.providers.a!.url}/orders`, {
      method: "POST",
      headers: { "idempotency-key": crypto.randomUUID() },
      body: "{}",
    });
  assert.is((await send("PUT", "/providers/a/mode", { mode: "error" })).status, 200);
  assert.is((await order()).status, 500);
  assert.is((await send("PUT", "/providers/a/mode", { mode: "complete" })).status, 200);
  assert.is((await order()).status, 201);
  const listed = (await (await send("GET", "/providers")).json()) as {
    providers: { name: string; orderRequests: number }[];
  };
  assert.is(listed.providers.find((provider) => provider.name === "a")?.orderRequests, 2);
});

test("a customer's token is signed by the service's issuer", async () => {
  const answer = await send("POST", "/tokens", {
    service: "purchasing",
    subject: "shopper",
    scopes: ["purchases:write"],
  });
  assert.is(answer.status, 200);
  const { token: jwt } = (await answer.json()) as { token: string };
  const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));
  assert.is(claims.sub, "shopper");
  assert.is(claims.aud, parties.issuers.purchasing!.audience);
});

test("escrow's provider announces a payment with a webhook signed as it signs", async () => {
  const received: { signature: string | undefined; body: string }[] = [];
  const escrow = await startOutsideParty(async function paystackWebhook(request, response) {
    const signature = request.headers["x-paystack-signature"];
    received.push({ signature: signature as string | undefined, body: await readBody(request) });
    sendJson(response, 200, { outcome: "applied" });
  });
  try {
    const withEscrow = sandboxApp(parties, token, { escrowUrl: escrow.url });
    const answer = await withEscrow.request("/paystack/charges", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ reference: "pay-1", amount: 250000, currency: "USD" }),
    });
    assert.is(answer.status, 200);
    assert.equal(await answer.json(), { escrow: { status: 200, body: { outcome: "applied" } } });
    const [delivery] = received;
    assert.ok(
      verifyWebhookSignature(
        parties.paystack.secretKey,
        delivery!.body,
        delivery!.signature,
        "sha512",
      ),
    );
    assert.equal(JSON.parse(delivery!.body), {
      event: "charge.success",
      data: { reference: "pay-1", amount: 250000, currency: "USD", status: "success" },
    });
  } finally {
    await escrow.stop();
  }
});

/** Whether something accepts a TCP connection at `broker` ("127.0.0.1:port"). */
function listening(broker: string): Promise<boolean> {
  const [host, port] = broker.split(":");
  return new Promise((resolve) => {
    const socket = connect(Number(port), host!, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

test("the Kafka broker stops, and starts again on its port with its topics", async () => {
  const kafka = await startKafka();
  const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "exchange.trades" }], waitForLeaders: true });
    await admin.disconnect();
    const withBroker = sandboxApp(parties, token, { broker: kafka });
    const put = (running: boolean) =>
      withBroker.request("/kafka", {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ running }),
      });
    const stopped = await put(false);
    assert.is(stopped.status, 200);
    assert.equal(await stopped.json(), { kafka: "stopped" });
    assert.is(kafka.pid, undefined);
    assert.not.ok(await listening(kafka.brokers[0]!));
    assert.equal(await (await put(false)).json(), { kafka: "stopped" });

    const started = await put(true);
    assert.equal(await started.json(), { kafka: "running" });
    const pid = kafka.pid;
    assert.ok(pid);
    await admin.connect();
    assert.ok((await admin.listTopics()).includes("exchange.trades"));
    // Already running: answered as done, the same broker process.
    assert.equal(await (await put(true)).json(), { kafka: "running" });
    assert.is(kafka.pid, pid);
  } finally {
    await admin.disconnect().catch(() => undefined);
    await kafka.stop();
  }
});

test("refusals are problem+json naming what is wrong", async () => {
  const cases = [
    [await send("GET", "/pages", undefined, "wrong"), 401, "sandboxToken"],
    [await send("PUT", "/providers/a/mode", { mode: "explode" }), 400, "mode:"],
    [await send("PUT", "/providers/zz/mode", { mode: "error" }), 404, "providers: a, b, c"],
    [
      await send("POST", "/tokens", { service: "status-page", subject: "x", scopes: [] }),
      400,
      'no issuer for "status-page"',
    ],
    [await send("POST", "/paystack/charges", { reference: "r", amount: -1 }), 400, "amount:"],
    [await send("PUT", "/kafka", { running: "no" }), 400, "running: "],
    [await send("PUT", "/kafka", { running: false, now: true }), 400, "now"],
    [await send("PUT", "/kafka", { running: false }), 400, "holds no Kafka broker"],
  ] as const;
  for (const [answer, status, detail] of cases) {
    assert.is(answer.status, status);
    assert.is(answer.headers.get("content-type"), "application/problem+json");
    assert.match(((await answer.json()) as { detail: string }).detail, detail);
  }
});

test.run();
