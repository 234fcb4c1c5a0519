/** @module Unit tests for the JSON the kit accepts: depth on the text, text without NUL or lone surrogates. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { jsonDepth, maxJsonDepth, parseBoundedJson, textDefect, textIssues } from "./json-limits";
import { ProblemError } from "./problem";

test("depth counts nesting outside strings only and stops early", () => {
  assert.is(jsonDepth('"x"'), 0);
  assert.is(jsonDepth('{"a":[1,{"b":[]}]}'), 4);
  assert.is(jsonDepth('{"a":"[[[[{{{{"}'), 1);
  assert.is(jsonDepth('{"a":"\\"[[[["}'), 1);
  assert.is(jsonDepth("[".repeat(100_000)), maxJsonDepth + 1);
});

test("a body past the depth limit is refused before it is parsed", () => {
  const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
  const error = (() => {
    try {
      parseBoundedJson(deep);
    } catch (caught) {
      return caught;
    }
  })();
  assert.instance(error, ProblemError);
  assert.is((error as ProblemError).status, 400);
  assert.match((error as ProblemError).details.type, /request\/too-deep$/);
  const fits = `${"[".repeat(maxJsonDepth)}${"]".repeat(maxJsonDepth)}`;
  assert.equal(parseBoundedJson(fits).issues, []);
});

test("NUL and unpaired surrogates are found in values and keys, with their paths", () => {
  assert.is(textDefect("fine ✓ 😀"), undefined);
  assert.match(textDefect("a\u0000b") ?? "", /NUL/);
  assert.match(textDefect("\ud800") ?? "", /surrogate/);
  assert.match(textDefect("x\udc00") ?? "", /surrogate/);
  const issues = textIssues(JSON.parse('{"a":{"b":["ok","\\u0000"]},"k\\ud800":1}'));
  assert.equal(issues.map((issue) => issue.path).sort(), ["a.b.1", "k\ud800"].sort());
});

test.run();
