/** @module Unit tests for the flow id: HTTP header in and out, log lines, event headers. */
import { Writable } from "node:stream";
import { Hono } from "hono";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { currentFlowId, flowHeaders, flowId, runInFlow, runInMessageFlow } from "./flow";
import { createLogger } from "./logger";

function appLogging(lines: string[]) {
  const logger = createLogger(
    { service: "flows", replicaId: "r1", level: "info" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const app = new Hono();
  app.use("*", flowId());
  app.get("/", (c) => {
    logger.info("handled");
    return c.json({ flowId: currentFlowId(), headers: flowHeaders() });
  });
  return app;
}

test("a request's x-flow-id is kept, echoed, logged and put on the events it queues", async () => {
  const lines: string[] = [];
  const response = await appLogging(lines).request("/", { headers: { "x-flow-id": "case-42" } });
  assert.is(response.headers.get("x-flow-id"), "case-42");
  const body = (await response.json()) as { flowId: string; headers: Record<string, string> };
  assert.is(body.flowId, "case-42");
  // Without the SDK there is no trace context to add: only the flow id travels.
  assert.equal(body.headers, { "flow-id": "case-42" });
  assert.is(JSON.parse(lines[0]!).flow_id, "case-42");
  assert.is(JSON.parse(lines[0]!).trace_id, undefined, "no span without tracing");
});

test("a missing or unsafe x-flow-id gets a new one, different per request", async () => {
  const app = appLogging([]);
  const first = (await app.request("/")).headers.get("x-flow-id");
  const second = (
    await app.request("/", { headers: { "x-flow-id": "no spaces allowed" } })
  ).headers.get("x-flow-id");
  assert.match(first ?? "", /^[0-9a-f-]{36}$/);
  assert.match(second ?? "", /^[0-9a-f-]{36}$/);
  assert.is.not(first, second);
});

test("a consumed message continues its flow; outside a flow nothing is carried", async () => {
  assert.is(currentFlowId(), undefined);
  assert.equal(flowHeaders(), {});
  await runInMessageFlow({ "flow-id": "case-7" }, async () => {
    await Promise.resolve();
    assert.is(currentFlowId(), "case-7", "kept across awaits");
  });
  runInMessageFlow({}, () => assert.match(currentFlowId() ?? "", /^[0-9a-f-]{36}$/));
  runInFlow("outer", () => runInFlow("inner", () => assert.is(currentFlowId(), "inner")));
  assert.is(currentFlowId(), undefined);
});

test.run();
