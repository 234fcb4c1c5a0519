/**
 * @module What a client gets when Node's HTTP parser refuses its request, over a raw TCP
 * socket to a real service: problem+json with the right status (unknown method 501, bad
 * Content-Length 400, oversized headers 431, a NUL in a header 400) and a closed connection;
 * and a trailing slash on a known route is a 404 problem naming the route, not a 405.
 */
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { useTestService } from "./test-service";

const run = useTestService(test);

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

/** Write `raw` on a new connection and read everything until the server closes it. */
function sendRaw(raw: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(run.service.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => {
          const index = line.indexOf(":");
          return [line.slice(0, index).toLowerCase(), line.slice(index + 1).trim()];
        }),
      );
      resolve({
        status: Number(statusLine.split(" ")[1]),
        headers,
        body: body === "" ? {} : (JSON.parse(body) as Record<string, unknown>),
      });
    });
    socket.write(raw);
  });
}

const host = "Host: 127.0.0.1\r\n";

test("parser refusals are problem+json with their status, and the connection closes", async () => {
  for (const [raw, status, type] of [
    [`FROB /v1/things HTTP/1.1\r\n${host}\r\n`, 501, /request\/method-not-implemented$/],
    [`POST /v1/things HTTP/1.1\r\n${host}Content-Length: abc\r\n\r\n`, 400, /request\/malformed$/],
    [
      `POST /v1/things HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello`,
      400,
      /request\/malformed$/,
    ],
    [
      `GET /v1/things HTTP/1.1\r\n${host}X-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      431,
      /request\/headers-too-large$/,
    ],
    [`GET /v1/things HTTP/1.1\r\n${host}X-Note: a\u0000b\r\n\r\n`, 400, /request\/malformed$/],
  ] as const) {
    const answer = await sendRaw(raw);
    assert.is(answer.status, status, raw.slice(0, 40));
    assert.is(answer.headers["content-type"], "application/problem+json");
    assert.is(answer.headers.connection, "close");
    assert.is(answer.body.status, status);
    assert.match(String(answer.body.type), type);
    assert.type(answer.body.detail, "string");
  }
  assert.is(
    (await fetch(`${run.service.url}/health/live`)).status,
    200,
    "the server keeps serving",
  );
});

test("a trailing slash on a known route is a 404 naming the route, never a 405 that allows the method", async () => {
  const answer = await fetch(`${run.service.url}/v1/things/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "slash", amount: "1" }),
  });
  assert.is(answer.status, 404);
  assert.is(answer.headers.get("allow"), null);
  const body = (await answer.json()) as { detail: string };
  assert.match(body.detail, /the route is \/v1\/things, without the trailing slash/);
  const count = await run.service.context.pool.query(
    "SELECT count(*)::int AS n FROM things WHERE name = 'slash'",
  );
  assert.is(count.rows[0].n, 0);
  const wrongMethod = await fetch(`${run.service.url}/v1/things`, { method: "GET" });
  assert.is(wrongMethod.status, 405);
});

test.run();
