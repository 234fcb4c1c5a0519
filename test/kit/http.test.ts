/**
 * @module The kit's HTTP surface against real PostgreSQL and Redis: problem+json for every
 * error, request ids, route-template metrics, OpenAPI, health.
 */
import { request } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningService } from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { type RedisServer, startRedis } from "../harness/redis";
import { startTestService } from "./test-service";

let postgres: PostgresServer;
let redis: RedisServer;
let service: RunningService;

test.before(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  service = await startTestService(postgres, redis);
});

test.after(async () => {
  await service?.stop();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

async function problemOf(response: Response): Promise<Record<string, unknown>> {
  assert.is(response.headers.get("content-type"), "application/problem+json");
  return (await response.json()) as Record<string, unknown>;
}

test("an unknown path is a 404 problem, a wrong method a 405 problem with Allow", async () => {
  const missing = await fetch(`${service.url}/nope`);
  assert.is(missing.status, 404);
  assert.match(String((await problemOf(missing)).type), /\/problems\/not-found$/);
  const wrongMethod = await fetch(`${service.url}/v1/things`, { method: "GET" });
  assert.is(wrongMethod.status, 405);
  assert.is(wrongMethod.headers.get("allow"), "POST");
  assert.is((await problemOf(wrongMethod)).status, 405);
});

test("invalid input is a 422 problem listing the field; malformed JSON a 400 problem", async () => {
  const invalid = await fetch(`${service.url}/v1/things`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "x", amount: "12.5" }),
  });
  assert.is(invalid.status, 422);
  const body = await problemOf(invalid);
  assert.match(String(body.detail), /amount/);
  assert.equal(
    (body.errors as { path: string }[]).map((error) => error.path),
    ["amount"],
  );
  const malformed = await fetch(`${service.url}/v1/things`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{not json",
  });
  assert.is(malformed.status, 400);
  await problemOf(malformed);
});

test("an unhandled error is a 500 problem that leaks nothing and carries the request id", async () => {
  const response = await fetch(`${service.url}/v1/boom`, {
    headers: { "x-request-id": "req-boom-1" },
  });
  assert.is(response.status, 500);
  assert.is(response.headers.get("x-request-id"), "req-boom-1");
  const body = await problemOf(response);
  assert.is(body.requestId, "req-boom-1");
  assert.not.match(JSON.stringify(body), /kaboom|secret/);
});

test("a request without an id gets one", async () => {
  const response = await fetch(`${service.url}/health/live`);
  assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
});

test("request durations are labelled by route template, never by raw id", async () => {
  await fetch(`${service.url}/v1/things/12345`);
  await fetch(`${service.url}/v1/things/67890`);
  await fetch(`${service.url}/definitely/not/here/42`);
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(
    metrics,
    /http_request_duration_seconds_count\{[^}]*path="\/v1\/things\/:id"[^}]*\} 2/,
  );
  assert.match(metrics, /http_request_duration_seconds_count\{[^}]*path="unmatched"/);
  // No path label carries a raw id or an unmatched path.
  assert.not.match(metrics, /path="[^"]*(\d{3,}|definitely)/);
  assert.match(metrics, /process_cpu_user_seconds_total/);
});

test("the OpenAPI document lists the service's and the admin routes", async () => {
  const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, unknown>;
  };
  assert.ok(doc.openapi.startsWith("3."));
  assert.ok(doc.paths["/v1/things"]);
  assert.ok(doc.paths["/admin/v1/controls/{id}"]);
});

interface DependencyState {
  status: "up" | "down";
  required: boolean;
  latencyMs: number;
  error?: string;
  details?: Record<string, unknown>;
}

test("ready answers every dependency's state and check latency; Kafka down is reported, not fatal", async () => {
  const response = await fetch(`${service.url}/health/ready`);
  assert.is(response.status, 200);
  const body = (await response.json()) as {
    status: string;
    checks: Record<string, DependencyState>;
  };
  assert.is(body.status, "ready");
  assert.equal(Object.keys(body.checks).sort(), ["controls", "kafka", "postgresql", "redis"]);
  for (const name of ["postgresql", "redis", "controls"]) {
    assert.is(body.checks[name]!.status, "up", name);
    assert.is(body.checks[name]!.required, true, name);
    assert.ok(body.checks[name]!.latencyMs >= 0, name);
  }
  assert.is(typeof body.checks.controls!.details?.version, "number");
  // The test service's KAFKA_BROKERS is a closed port: reported down, the replica still ready.
  assert.is(body.checks.kafka!.status, "down");
  assert.is(body.checks.kafka!.required, false);
  assert.type(body.checks.kafka!.error, "string");
});

test("not ready, naming Redis and its state beside the others', while Redis is down", async () => {
  await redis.stop();
  try {
    const response = await fetch(`${service.url}/health/ready`);
    assert.is(response.status, 503);
    const body = await problemOf(response);
    assert.equal(body.failed, ["redis"]);
    const checks = body.checks as Record<string, DependencyState>;
    assert.is(checks.redis!.status, "down");
    assert.type(checks.redis!.error, "string");
    assert.is(checks.postgresql!.status, "up");
    assert.ok(checks.redis!.latencyMs >= 0);
  } finally {
    await redis.start();
  }
});

/**
 * POST `chunks` with Transfer-Encoding: chunked (no Content-Length), one write at a time, and
 * stop writing once the server answered; resolves with the status.
 */
function postChunked(path: string, chunks: readonly Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    const outgoing = request(
      `${service.url}${path}`,
      { method: "POST", headers: { "content-type": "application/json" } },
      (incoming) => {
        status = incoming.statusCode ?? 0;
        incoming.resume();
        incoming.once("end", () => resolve(status!));
      },
    );
    // The server may close the connection after refusing: the answer is what counts.
    outgoing.once("error", (error) => (status === undefined ? reject(error) : resolve(status)));
    const writeNext = (index: number) => {
      if (status !== undefined) return;
      if (index === chunks.length) return outgoing.end();
      outgoing.write(chunks[index], () => setTimeout(() => writeNext(index + 1), 20));
    };
    writeNext(0);
  });
}

test("a body over 1 MiB is a 413 problem, declared or streamed in chunks", async () => {
  const declared = await fetch(`${service.url}/v1/things`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "x".repeat(1024 * 1024), amount: "1" }),
  });
  assert.is(declared.status, 413);
  assert.match(String((await problemOf(declared)).type), /request\/too-large$/);
  const piece = Buffer.alloc(256 * 1024, 0x20);
  assert.is(await postChunked("/v1/things", [piece, piece, piece, piece, piece]), 413);
  const small = Buffer.from(JSON.stringify({ name: "chunked", amount: "3" }));
  assert.is(await postChunked("/v1/things", [small.subarray(0, 5), small.subarray(5)]), 201);
});

test.run();
