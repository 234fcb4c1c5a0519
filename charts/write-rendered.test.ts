/** @module Tests that the rendered tree is replaced whole, or not at all. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTempDir } from "../test/harness/process";
import { diffTrees, readTree, replaceTree } from "./write-rendered";

test("replaces the tree exactly: new files written, files no longer rendered removed", () => {
  const target = join(makeTempDir("rendered"), "rendered");
  mkdirSync(join(target, "prod", "old"), { recursive: true });
  writeFileSync(join(target, "prod", "old", "gone.yaml"), "old");
  replaceTree(target, new Map([["prod/services/a.yaml", "a"]]));
  assert.equal([...readTree(target)], [["prod/services/a.yaml", "a"]]);
  assert.equal(
    diffTrees(
      new Map([["x", "1"]]),
      new Map([
        ["x", "2"],
        ["y", "3"],
      ]),
    ),
    ["x", "y"],
  );
});

test("a failed write leaves the previous tree untouched", () => {
  const parent = makeTempDir("rendered");
  const target = join(parent, "rendered");
  replaceTree(target, new Map([["prod/a.yaml", "before"]]));
  // A directory where a file must go makes the staging write fail half way.
  const files = new Map([
    ["prod/a.yaml", "after"],
    ["prod/a.yaml/b.yaml", "cannot"],
  ]);
  assert.throws(() => replaceTree(target, files));
  assert.equal([...readTree(target)], [["prod/a.yaml", "before"]]);
  assert.equal(readdirSync(parent), ["rendered"]);
  assert.ok(existsSync(target));
});

test.run();
