/** @module Unit tests for the kit's answers added to every route of `/openapi.json`. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withKitAnswers } from "./openapi-document";

test("every operation gets 400, 422 and 503, body methods 413 too; a route's own answers stay", () => {
  const document = withKitAnswers({
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    paths: {
      "/v1/things": {
        get: { responses: { 200: { description: "ok" } } },
        post: { responses: { 422: { description: "the route's own" } } },
      },
    },
  } as never);
  const paths = document.paths as Record<
    string,
    Record<string, { responses: Record<string, { description: string }> }>
  >;
  assert.equal(Object.keys(paths["/v1/things"]!.get!.responses).sort(), [
    "200",
    "400",
    "422",
    "503",
  ]);
  const post = paths["/v1/things"]!.post!.responses;
  assert.equal(Object.keys(post).sort(), ["400", "413", "422", "503"]);
  assert.is(post["422"]!.description, "the route's own");
  const schemas = document.components?.schemas as Record<string, unknown> | undefined;
  assert.ok(schemas?.Problem);
});

test.run();
