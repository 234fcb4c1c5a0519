/**
 * @module Services as processes: a bad setting is one line naming the variable with exit 1
 * and nothing started; an unknown name lists the known ones; a started service prints its
 * `listening` line and, on SIGTERM, finishes the request in flight before exiting 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { freePort } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { testEnv } from "./test-service";

const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const fixture = join(import.meta.dirname, "fixtures", "run-test-service.ts");

let postgres: PostgresServer;
let redis: RedisServer;
let databaseUrl: string;

test.before(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  databaseUrl = await postgres.createDatabase();
});

test.after(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function launch(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(tsx, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

test("a bad PORT is one line on stderr naming it, exit 1, nothing started", async () => {
  const env = testEnv(databaseUrl, redis, { PORT: "http", LOG_LEVEL: "info" });
  const { done } = launch([fixture], env);
  const result = await done;
  assert.is(result.code, 1);
  const lines = result.stderr.trim().split("\n");
  assert.is(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^PORT: /);
  assert.is(result.stdout, "");
  // Nothing was started: not even the kit's migrations ran.
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const table = await client.query("SELECT to_regclass('schema_migrations') AS t");
  await client.end();
  assert.is(table.rows[0].t, null);
});

test("a missing ADMIN_TOKEN names the variable", async () => {
  const env = testEnv(databaseUrl, redis);
  delete (env as Record<string, string | undefined>).ADMIN_TOKEN;
  const result = await launch([fixture], env).done;
  assert.is(result.code, 1);
  assert.is(result.stderr.trim(), "ADMIN_TOKEN: required but not set");
});

test("npm run service with an unknown name lists the known services", async () => {
  const result = await launch([join(root, "services", "run.ts"), "nosuch"], {}).done;
  assert.is(result.code, 1);
  assert.match(result.stderr.trim(), /^unknown service "nosuch"; known services: /);
  assert.is(result.stderr.trim().split("\n").length, 1);
});

test("npm run migrate with an unknown name lists the known services", async () => {
  const result = await launch([join(root, "services", "migrate.ts"), "nosuch"], {}).done;
  assert.is(result.code, 1);
  assert.match(result.stderr.trim(), /known services: /);
});

test("a started service says listening, and SIGTERM lets the request in flight finish", async () => {
  const port = await freePort();
  const { child, done } = launch(
    [fixture],
    testEnv(databaseUrl, redis, { PORT: String(port), LOG_LEVEL: "info" }),
  );
  const deadline = Date.now() + 60_000;
  let stdout = "";
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
  });
  while (!/"msg":"listening"/.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`no listening line: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const line = JSON.parse(stdout.split("\n").find((entry) => entry.includes('"listening"'))!);
  assert.is(line.port, port);
  const inFlight = fetch(`http://127.0.0.1:${port}/v1/slow?ms=1500`, {
    headers: { "x-request-id": "drain-me-1" },
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill("SIGTERM");
  const response = await inFlight;
  assert.is(response.status, 200);
  assert.equal(await response.json(), { slept: true });
  const result = await done;
  assert.is(result.code, 0);
  assert.match(stdout, /"msg":"stopped"/);
  const access = stdout
    .split("\n")
    .filter((entry) => entry.includes('"msg":"request"'))
    .map((entry) => JSON.parse(entry));
  const slow = access.find((entry) => entry.requestId === "drain-me-1");
  assert.ok(slow, stdout);
  assert.is(slow.path, "/v1/slow");
  assert.is(slow.status, 200);
  assert.not.ok(
    await fetch(`http://127.0.0.1:${port}/health/live`).then(
      () => true,
      () => false,
    ),
  );
});

test.run();
