/** @module Tests for the PSP gateway adapter against the test PSP, a real HTTP server. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort } from "../../test/harness/process";
import { startPspServer } from "../../test/payments/psp-server";
import { classifyResponse, createPspGateway } from "./psp-gateway";

const request = (reference: string, destination: string) => ({
  reference,
  amount: 1234n,
  currency: "USD",
  destination,
});

test("success, decline, timeout and 5xx are sorted into sent, failed and ambiguous", async () => {
  const psp = await startPspServer({ holdMs: 5_000 });
  try {
    psp.script("ok", "succeed");
    psp.script("closed", "fail");
    psp.script("slow", "timeout");
    psp.script("broken", "ambiguous");
    psp.script("garbled", "malformed");
    const gateway = createPspGateway({ baseUrl: `${psp.url}/`, timeoutMs: 300 });
    const sent = await gateway.send(request("p-1", "ok"));
    assert.is(sent.kind, "sent");
    assert.is((await gateway.send(request("p-2", "closed"))).kind, "failed");
    const slow = await gateway.send(request("p-3", "slow"));
    assert.equal(slow, { kind: "ambiguous", reason: "no answer from the PSP within 300 ms" });
    assert.is((await gateway.send(request("p-4", "broken"))).kind, "ambiguous");
    assert.is((await gateway.send(request("p-5", "garbled"))).kind, "ambiguous");
    const first = psp.requests[0]!;
    assert.is(first.idempotencyKey, "p-1");
    assert.is(first.amount, "1234");
    // The same reference again is answered from the PSP's record: paid once.
    assert.equal(await gateway.send(request("p-1", "closed")), sent);
    assert.is(psp.executions("p-1"), 1);
  } finally {
    await psp.stop();
  }
});

test("a PSP that is not listening is unreachable, so the send is retried later", async () => {
  const port = await freePort();
  const gateway = createPspGateway({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1_000 });
  const outcome = await gateway.send(request("p-9", "ok"));
  assert.is(outcome.kind, "unreachable");
});

test("4xx declines are failures, but 408, 409 and 2xx without a clear status are not", () => {
  assert.is(classifyResponse(400, "{}").kind, "failed");
  assert.is(classifyResponse(422, '{"status":"failed"}').kind, "failed");
  assert.is(classifyResponse(429, "").kind, "unreachable");
  assert.is(classifyResponse(408, "").kind, "ambiguous");
  assert.is(classifyResponse(409, "").kind, "ambiguous");
  assert.is(classifyResponse(503, "").kind, "ambiguous");
  assert.is(classifyResponse(200, '{"status":"pending","id":"x"}').kind, "ambiguous");
  assert.is(classifyResponse(200, '{"status":"succeeded"}').kind, "ambiguous");
  assert.is(classifyResponse(200, '{"status":"failed","reason":"no"}').kind, "failed");
  assert.equal(classifyResponse(201, '{"status":"succeeded","id":"psp_1"}'), {
    kind: "sent",
    pspPayoutId: "psp_1",
  });
});

test.run();
