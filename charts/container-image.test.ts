/**
 * @module Tests that the repository's Dockerfile builds what the charts run: a pinned Node 24
 * base, a numeric non-root user, the entrypoint the Deployments use, and every file and package
 * the services and the operator load inside the image.
 */
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { knownServices } from "../services/kit/service-registry";
import {
  autopilotProgram,
  imageEntrypoint,
  imageUser,
  operatorArgs,
  operatorProgram,
  serviceProgram,
} from "./container-image";

const root = join(import.meta.dirname, "..");

interface Instruction {
  readonly keyword: string;
  readonly value: string;
}

/** Dockerfile instructions in order: continuations joined, comments and blank lines dropped. */
function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  return logical
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), value: rest.join(" ") };
    });
}

const instructions = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
const values = (keyword: string) =>
  instructions.filter((i) => i.keyword === keyword).map((i) => i.value);

/** The instructions of the last stage: what the running container is. */
function runtimeStage(): Instruction[] {
  const start = instructions.map((i) => i.keyword).lastIndexOf("FROM");
  return instructions.slice(start);
}

function baseImage(): string {
  const argument = values("ARG").find((value) => value.startsWith("NODE_IMAGE="));
  assert.ok(argument, "the Dockerfile declares ARG NODE_IMAGE=<image>");
  return argument.slice("NODE_IMAGE=".length);
}

test("the base image is the official Node image at the lockfile's exact Node version", () => {
  const match =
    /^docker\.io\/library\/node:(\d+\.\d+\.\d+)-(trixie|bookworm)-slim(@sha256:[0-9a-f]{64})?$/.exec(
      baseImage(),
    );
  assert.ok(match, `NODE_IMAGE is pinned to a full version tag: got ${baseImage()}`);
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  assert.is(match[1], lock.packages["node_modules/node"].version);
  assert.is(match[1]?.split(".")[0], "24");
});

test("every stage starts from the pinned base or an earlier stage, and nothing says latest", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Docker's reference to the ARG.
  const pinnedBase = "${NODE_IMAGE}";
  const stages: string[] = [];
  for (const from of values("FROM")) {
    const [image = "", as, name] = from.split(/\s+/);
    assert.ok(image === pinnedBase || stages.includes(image), `FROM ${from}`);
    if (as?.toUpperCase() === "AS" && name) stages.push(name);
  }
  assert.ok(stages.length >= 2, "a build stage and a runtime stage");
  for (const instruction of instructions) {
    assert.not.match(instruction.value, /:latest\b/, `${instruction.keyword} uses latest`);
  }
});

test("the build installs exactly the lockfile's production dependencies", () => {
  const install = values("RUN").find((run) => run.includes("npm ci"));
  assert.ok(install, "the build stage runs npm ci");
  assert.match(install, /--omit=dev/);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.ok(pkg.dependencies.tsx, "tsx runs the sources, so it is a production dependency");
});

test("the container runs as a numeric non-root user, the one the Deployments set", () => {
  const users = runtimeStage().filter((i) => i.keyword === "USER");
  const user = users.at(-1)?.value ?? "";
  assert.match(user, /^\d+(:\d+)?$/, `USER is numeric so runAsNonRoot can check it: ${user}`);
  const [uid, gid = uid] = user.split(":").map(Number);
  assert.ok(uid !== 0 && gid !== 0, "not root");
  assert.is(uid, imageUser);
  assert.is(gid, imageUser);
});

test("the entrypoint is the one the charts use and the default program exists", () => {
  const stage = runtimeStage();
  const json = (keyword: string) =>
    JSON.parse(stage.find((i) => i.keyword === keyword)?.value ?? "null") as string[];
  assert.equal(json("ENTRYPOINT"), imageEntrypoint);
  const [program] = json("CMD");
  assert.ok(program && existsSync(join(root, program)), `CMD names a file: ${program}`);
});

/** Paths (relative to the repository) the runtime stage copies from the build context. */
function copiedPaths(): string[] {
  return runtimeStage()
    .filter((i) => i.keyword === "COPY" && !i.value.startsWith("--from"))
    .flatMap((i) => i.value.split(/\s+/).slice(0, -1));
}

const builtins = new Set(builtinModules);

/** Bare package name of an import specifier, or undefined for relative and built-in ones. */
function packageName(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
  return builtins.has(name) ? undefined : name;
}

function resolveLocal(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const found = [base, `${base}.ts`, join(base, "index.ts")].find(
    (path) => existsSync(path) && path.endsWith(".ts"),
  );
  assert.ok(found, `${relative(root, from)} imports ${specifier}, which does not resolve`);
  return found;
}

/** Every repository file and npm package the given entry files load, transitively. */
function loadedBy(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = entries.map((entry) => join(root, entry));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const imports = ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles;
    for (const { fileName } of imports) {
      const name = packageName(fileName);
      if (name) packages.add(name);
      else if (fileName.startsWith(".")) pending.push(resolveLocal(file, fileName));
    }
  }
  return { files, packages };
}

test("everything the services, the operator and the autopilot load is in the image", () => {
  const services = knownServices();
  assert.ok(services.length > 0);
  // Services are loaded by name at run time, so each one's index.ts is an entry of its own.
  const entries = [
    serviceProgram,
    operatorProgram,
    autopilotProgram,
    ...services.map((s) => `services/${s}/index.ts`),
    // The restore rehearsal's CronJob runs this scenario of `drills/main.ts` (the other
    // scenarios, loaded only when named, need the test harness or the local platform and never
    // run there).
    "drills/restore-cluster.ts",
  ];
  const { files, packages } = loadedBy(entries);
  const copied = copiedPaths();
  for (const file of files) {
    const path = relative(root, file);
    assert.ok(
      copied.some((dir) => path === dir || path.startsWith(`${dir}/`)),
      `${path} is loaded at run time but the Dockerfile does not copy it`,
    );
    assert.not.ok(path.endsWith(".test.ts"), `${path} is a test and is kept out of the image`);
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const name of [...packages, "tsx"]) {
    assert.ok(pkg.dependencies[name], `${name} is loaded at run time, so it must be a dependency`);
  }
});

test("npm run operator runs the operator as its container does", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.is(pkg.scripts.operator, [...imageEntrypoint, ...operatorArgs()].join(" "));
});

test("the build context lets in what the image copies and keeps tests out", () => {
  const rules = readFileSync(join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  assert.is(rules[0], "*", "an allow-list: nothing enters the context unless named");
  for (const path of copiedPaths()) {
    assert.ok(rules.includes(`!${path}`), `.dockerignore lets ${path} in`);
  }
  assert.ok(rules.includes("**/*.test.ts"));
  assert.ok(rules.includes("**/node_modules"));
});

test.run();
