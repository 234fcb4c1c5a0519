/**
 * @module `npm run service -- payments` as a user runs it: configured by environment variables
 * alone, refusing a bad one with one line naming it, serving the API and its OpenAPI document,
 * and stopping cleanly on SIGTERM.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startPostgres } from "../harness/postgres";
import { freePort, waitUntil } from "../harness/process";
import { startRedis } from "../harness/redis";
import { adminToken, testIssuer, webhookSecret } from "./payments-fixture";

const root = join(import.meta.dirname, "..", "..");

function runPayments(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "services", "run.ts"), "payments"],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

let env: Record<string, string>;

test.before(async () => {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  env = {
    PORT: String(await freePort()),
    HOST: "127.0.0.1",
    DATABASE_URL: await postgres.createDatabase(),
    REDIS_URL: redis.url,
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    ADMIN_TOKEN: adminToken,
    PSP_URL: "http://127.0.0.1:9/psp",
    WEBHOOK_SECRET: webhookSecret,
    ...(await testIssuer()).env,
  };
});

test("a missing or malformed payments setting stops the start with one line naming it", async () => {
  for (const [variable, value] of [
    ["WEBHOOK_SECRET", ""],
    ["PSP_URL", "not a url"],
    ["PSP_TIMEOUT_MS", "-5"],
    ["AUTH_ISSUER", ""],
    ["AUTH_JWKS", ""],
    ["AUTH_JWKS", "not a key set"],
    ["AUTH_JWKS", '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}'],
    ["AUTH_JWKS", "http://keys.example.com/jwks.json"],
  ] as const) {
    const run = runPayments({ ...env, [variable]: value });
    assert.is(await run.exited, 1, variable);
    const lines = run.output().stderr.trim().split("\n");
    assert.is(lines.length, 1, run.output().stderr);
    assert.match(lines[0]!, new RegExp(`^${variable}`));
    assert.not.match(run.output().stderr, new RegExp(webhookSecret));
    assert.not.match(
      run.output().stderr,
      /c2VjcmV0/,
      "a symmetric key given by mistake is not echoed",
    );
  }
});

test("started from the environment alone it serves, documents its API, and stops on SIGTERM", async () => {
  const run = runPayments(env);
  const url = `http://127.0.0.1:${env.PORT}`;
  try {
    await waitUntil("listening line", async () => /"msg":"listening"/.test(run.output().stdout), {
      timeoutMs: 60_000,
    });
    const ready = await fetch(`${url}/health/ready`);
    assert.is(ready.status, 200);
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      "/v1/transfers",
      "/v1/accounts/{id}",
      "/v1/payouts",
      "/v1/payouts/manual-review",
      "/v1/payouts/{id}/resolve",
      "/v1/webhooks/deposits",
    ]) {
      assert.ok(document.paths[path], path);
    }
  } finally {
    run.child.kill("SIGTERM");
  }
  assert.is(await run.exited, 0);
});

test.run();
