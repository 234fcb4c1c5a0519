/** @module The harness cache: where it lives and how stamps skip work already done. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cacheDir, cachePath, isStamped, stamp } from "./cache";
import { makeTempDir } from "./process";

const configured = process.env.BREAKWATER_CACHE;
const dir = makeTempDir("cache-test");

test.before.each(() => {
  process.env.BREAKWATER_CACHE = join(dir, "cache");
});

test.after(() => {
  if (configured === undefined) delete process.env.BREAKWATER_CACHE;
  else process.env.BREAKWATER_CACHE = configured;
});

test("BREAKWATER_CACHE chooses the cache folder, created on first use", () => {
  assert.is(cacheDir(), join(dir, "cache"));
  assert.ok(existsSync(join(dir, "cache")));
});

test("cachePath creates the parent folders of a cached file", () => {
  const path = cachePath("bin", "etcd");
  assert.is(path, join(dir, "cache", "bin", "etcd"));
  assert.ok(existsSync(join(dir, "cache", "bin")));
  assert.not.ok(existsSync(path), "the file itself is left to whoever builds it");
});

test("a stamp matches only the key it was written with", () => {
  assert.not.ok(isStamped("kafka-jars", "3.9.2 abc"), "nothing is stamped at first");
  stamp("kafka-jars", "3.9.2 abc");
  assert.ok(isStamped("kafka-jars", "3.9.2 abc"));
  assert.not.ok(isStamped("kafka-jars", "3.9.2 def"), "a changed pom means redo the work");
  assert.not.ok(isStamped("go-etcd", "3.9.2 abc"), "stamps are per piece of work");
});

test.run();
