/**
 * @module Where the harness keeps what it builds and downloads (Go binaries, Kafka jars):
 * `$BREAKWATER_CACHE` or `~/.cache/breakwater`, outside the repository, with stamp files so
 * that work already done is skipped on the next run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The cache root, created on first use. */
export function cacheDir(): string {
  const configured = process.env.BREAKWATER_CACHE;
  const dir = configured ? resolve(configured) : join(homedir(), ".cache", "breakwater");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A path inside the cache (parent folders created), e.g. `cachePath("bin", "etcd")`. */
export function cachePath(...parts: string[]): string {
  const path = join(cacheDir(), ...parts);
  mkdirSync(join(path, ".."), { recursive: true });
  return path;
}

/**
 * Whether the work named `name` was done with exactly this `key` (a version, or a hash of
 * its inputs). A stamp is written only after the work succeeded, so a failed or interrupted
 * run is redone.
 */
export function isStamped(name: string, key: string): boolean {
  const path = stampPath(name);
  return existsSync(path) && readFileSync(path, "utf8") === key;
}

/** Record that the work named `name` is done for `key`. */
export function stamp(name: string, key: string): void {
  writeFileSync(stampPath(name), key);
}

function stampPath(name: string): string {
  return cachePath("stamps", `${name.replace(/[^A-Za-z0-9._-]/g, "_")}.stamp`);
}
