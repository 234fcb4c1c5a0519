/**
 * @module Tests that `rendered/` is exactly what `npm run synth` produces now (so a change to
 * environments/ or charts/ without a re-render fails), that rendering is deterministic, and
 * that every committed environment passes the manifest checks.
 */
import { resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadAllEnvironments } from "../environments";
import { renderAll } from "./render-all";
import { diffTrees, readTree } from "./write-rendered";

const renderedRoot = resolve(import.meta.dirname, "..", "rendered");

test("rendered/ is up to date (run npm run synth when this fails)", () => {
  const stale = diffTrees(renderAll(loadAllEnvironments()).files, readTree(renderedRoot));
  assert.equal(stale, [], `stale files in rendered/: ${stale.join(", ")}`);
});

test("the same input renders the same bytes", () => {
  const first = renderAll(loadAllEnvironments()).files;
  const second = renderAll(loadAllEnvironments()).files;
  assert.equal(diffTrees(first, second), []);
  for (const content of first.values()) {
    assert.not.match(content, /^\s*creationTimestamp:/m);
    assert.not.match(content, /:\s*"?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  }
});

test("every environment passes the manifest checks", () => {
  assert.equal(renderAll(loadAllEnvironments()).problems, []);
});

test.run();
