/**
 * @module Writes the rendered tree all at once: everything goes to a temporary folder beside
 * `rendered/`, which then replaces it by rename, so a failed run leaves the old tree intact.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";

/** Replaces `target` with exactly these files (path relative to it → content). */
export function replaceTree(target: string, files: ReadonlyMap<string, string>): void {
  const staging = `${target}.tmp-${process.pid}`;
  const previous = `${target}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, content] of files) {
      const file = join(staging, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(target) && existsSync(previous)) renameSync(previous, target);
    throw error;
  }
}

/** Every file under `root` (relative path → content); empty when it does not exist. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(root)) return files;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return files;
}

/** Paths that differ between two trees: added, removed or changed. */
export function diffTrees(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
) {
  const paths = new Set([...expected.keys(), ...actual.keys()]);
  return [...paths].sort().filter((path) => expected.get(path) !== actual.get(path));
}
