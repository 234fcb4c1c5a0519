/**
 * @module The kit's edge limits on a real service (PostgreSQL, Redis): NUL characters,
 * unpaired surrogates, deeply nested JSON and bytes that are not UTF-8 are refused with
 * problem+json naming where they are, on every route (the admin API's control upsert too),
 * and nothing is written.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { adminFetch, useTestService } from "./test-service";

interface Problem {
  readonly type: string;
  readonly detail: string;
  readonly errors: [{ in: string; path: string; message: string }];
}

const run = useTestService(test);

async function thingCount(): Promise<number> {
  const result = await run.service.context.pool.query<{ count: string }>(
    "SELECT count(*) FROM things",
  );
  return Number(result.rows[0]!.count);
}

async function postThing(body: string | Uint8Array, path = "/v1/things") {
  const response = await fetch(`${run.service.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  assert.is(response.headers.get("content-type"), "application/problem+json");
  return { status: response.status, body: (await response.json()) as Problem };
}

test("a NUL or an unpaired surrogate in a JSON string or key is 422 naming it; nothing is written", async () => {
  const before = await thingCount();
  for (const [raw, path] of [
    ['{"name":"a\\u0000b","amount":"1"}', "name"],
    ['{"name":"\\ud800","amount":"1"}', "name"],
    ['{"name":"x","amount":"1","meta":{"n\\u0000":1}}', "meta.n\u0000"],
    ['{"name":"x\\udfff","amount":"1"}', "name"],
  ] as const) {
    const answer = await postThing(raw);
    assert.is(answer.status, 422, raw);
    assert.match(answer.body.type, /request\/validation$/);
    assert.is(answer.body.errors[0].path, path, raw);
    assert.is(answer.body.errors[0].in, "json");
  }
  // Routes that read their body by hand get the same (here, with no schema at all).
  const atomic = await postThing('{"name":"\\u0000"}', "/v1/atomic-things");
  assert.is(atomic.status, 422);
  assert.is(await thingCount(), before);
});

test("JSON nested deeper than the limit is 400 before anything recurses; the service stays up", async () => {
  for (const raw of [
    `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    `{"name":"x","amount":"1","meta":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
    "[".repeat(50_000),
  ]) {
    const answer = await postThing(raw);
    assert.is(answer.status, 400);
    assert.match(answer.body.type, /request\/too-deep$/);
  }
  assert.is((await fetch(`${run.service.url}/health/live`)).status, 200);
});

test("bytes that are not UTF-8 are 400", async () => {
  const answer = await postThing(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
  assert.is(answer.status, 400);
  assert.match(answer.body.detail, /UTF-8/);
});

test("%00 in the path or the query is 422 naming where", async () => {
  const inPath = await fetch(`${run.service.url}/v1/things/ab%00cd`);
  assert.is(inPath.status, 422);
  const pathBody = (await inPath.json()) as Problem;
  assert.is(pathBody.errors[0].in, "path");
  const inQuery = await fetch(`${run.service.url}/v1/slow?ms=1&note=a%00b`);
  assert.is(inQuery.status, 422);
  const queryBody = (await inQuery.json()) as Problem;
  assert.equal(queryBody.errors[0], {
    in: "query",
    path: "note",
    message: "contains a NUL character (U+0000)",
  });
});

test("the admin API's control upsert gets the same limits", async () => {
  const spec = `{"kind":"WithdrawalHalt","spec":{"reason":"r","ticket":"INC-1","requestedBy":"a","scope":{"currencies":["B\\u0000TC"]}}}`;
  const nul = await adminFetch(`${run.service.url}/admin/v1/controls/withdrawalhalt.kittest.nul`, {
    method: "PUT",
    body: spec,
  });
  assert.is(nul.status, 422);
  const body = (await nul.json()) as Problem;
  assert.is(body.errors[0].path, "spec.scope.currencies.0");
  const deep = await adminFetch(
    `${run.service.url}/admin/v1/controls/withdrawalhalt.kittest.deep`,
    {
      method: "PUT",
      body: `{"kind":"WithdrawalHalt","spec":${"[".repeat(3000)}${"]".repeat(3000)}}`,
    },
  );
  assert.is(deep.status, 400);
  const listed = await adminFetch(`${run.service.url}/admin/v1/controls`);
  assert.equal(((await listed.json()) as { controls: unknown[] }).controls, []);
});

test.run();
