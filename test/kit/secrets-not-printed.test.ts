/**
 * @module No program prints a secret: `npm run service -- payments`, `npm run migrate`,
 * `npm run operator` and `npm run autopilot` started with malformed secret-bearing settings name the variable and
 * what it expected, and the password never reaches stdout or stderr; the JSON logs censor
 * credentials, including the kit's per-request line.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createApp } from "../../services/kit/app";
import { createLogger } from "../../services/kit/logger";
import { createMetrics } from "../../services/kit/metrics";

const root = join(import.meta.dirname, "..", "..");
const password = "Hunter2Secret";

/** Settings that are all valid, so each case breaks exactly one. */
const validEnv: Record<string, string> = {
  PORT: "0",
  HOST: "127.0.0.1",
  DATABASE_URL: "postgres://app:ok@127.0.0.1:1/app",
  REDIS_URL: "redis://127.0.0.1:1",
  KAFKA_BROKERS: "127.0.0.1:1",
  ADMIN_TOKEN: "0123456789abcdef0123",
  LOG_LEVEL: "info",
  AUTH_ISSUER: "https://issuer.test",
  AUTH_AUDIENCE: "payments",
  AUTH_JWKS: "https://issuer.test/jwks.json",
  PSP_URL: "http://127.0.0.1:1",
  WEBHOOK_SECRET: "0123456789abcdef0123",
};

function run(script: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", ...script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function assertHidden(
  result: { code: number | null; output: string },
  variable: string,
  secret = password,
) {
  assert.is(result.code, 1, result.output);
  assert.ok(result.output.includes(`${variable}:`), `names ${variable}: ${result.output}`);
  assert.not.ok(result.output.includes(secret), `printed the secret: ${result.output}`);
}

const malformedServiceSettings: Array<[string, string]> = [
  ["DATABASE_URL", `postgres//app:${password}@db:5432/app`],
  ["DATABASE_URL", `mysql://app:${password}@db:3306/app`],
  ["DATABASE_URL", `postgres://app:${password} with spaces@db:five/app`],
  ["DATABASE_URL", `host=db password=${password} dbname=app`],
  ["REDIS_URL", `http://:${password}@redis:6379`],
  ["REDIS_URL", `redis//default:${password}@redis:6379`],
  ["REDIS_SECONDARY", `http://:${password}@redis-secondary:6379`],
  ["ADMIN_TOKEN", password],
  ["WEBHOOK_SECRET", password],
];

for (const [variable, value] of malformedServiceSettings) {
  test(`npm run service -- payments: a malformed ${variable} is named, its password never printed (${value.slice(0, 10)}...)`, () => {
    const result = run(["services/run.ts", "payments"], { ...validEnv, [variable]: value });
    assertHidden(result, variable);
  });
}

test("npm run service -- escrow: a short vault pepper or provider key is named, never printed", () => {
  const escrowEnv = {
    ...validEnv,
    AUTH_AUDIENCE: "escrow",
    PAYSTACK_URL: "http://127.0.0.1:1",
    PAYSTACK_SECRET_KEY: "sk_test_0123456789abcdef",
    VAULT_PEPPER: "0123456789abcdef0123456789abcdef0123",
  };
  for (const variable of ["VAULT_PEPPER", "PAYSTACK_SECRET_KEY"]) {
    const result = run(["services/run.ts", "escrow"], {
      ...escrowEnv,
      [variable]: "Hunter2pepper",
    });
    assertHidden(result, variable, "Hunter2pepper");
  }
});

test("npm run service: a malformed URL is still shown, with its password as ***", () => {
  const result = run(["services/run.ts", "payments"], {
    ...validEnv,
    DATABASE_URL: `mysql://app:${password}@db:3306/app`,
  });
  assert.match(
    result.output,
    /DATABASE_URL: .*"mysql:\/\/\*\*\*@db:3306\/app" \(password hidden\)/,
  );
});

test("npm run migrate: a malformed DATABASE_URL is named, its password never printed", () => {
  for (const value of [
    `postgres//app:${password}@db/app`,
    `postgres://app:${password}%zz@127.0.0.1:1/app`,
  ]) {
    const result = run(["services/migrate.ts", "payments"], { DATABASE_URL: value });
    assert.is(result.code, 1, result.output);
    assert.not.ok(result.output.includes(password), result.output);
  }
  assertHidden(
    run(["services/migrate.ts", "payments"], { DATABASE_URL: `postgres//app:${password}@db/app` }),
    "DATABASE_URL",
  );
});

test("npm run operator: a malformed REDIS_URL is named, its password never printed", () => {
  for (const value of [`redis//:${password}@redis:6379`, `http://default:${password}@redis:6379`]) {
    assertHidden(run(["operators/main.ts"], { REDIS_URL: value }), "REDIS_URL");
  }
});

test("npm run autopilot: a malformed token or URL is named, the secret never printed", () => {
  assertHidden(
    run(["operators/autopilot/main.ts"], { AUTOPILOT_WEBHOOK_TOKEN: "Hunter2" }),
    "AUTOPILOT_WEBHOOK_TOKEN",
    "Hunter2",
  );
  assertHidden(
    run(["operators/autopilot/main.ts"], {
      AUTOPILOT_WEBHOOK_TOKEN: "0123456789abcdef0123",
      AUTOPILOT_ENVIRONMENT: "dev",
      AUTOPILOT_ADVERTISE_URL: `http//peer:${password}@10.0.0.1:8080`,
    }),
    "AUTOPILOT_ADVERTISE_URL",
  );
});

function captured(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk;
      callback();
    },
  });
  return { stream, text: () => text };
}

test("the JSON logs censor credentials and URL passwords in errors", () => {
  const sink = captured();
  const logger = createLogger({ service: "t", replicaId: "r", level: "info" }, sink.stream);
  logger.info(
    {
      headers: { authorization: `Bearer ${password}`, cookie: `session=${password}` },
      token: password,
      request: { headers: { authorization: `Bearer ${password}` } },
    },
    "request seen",
  );
  logger.warn({ err: new Error(`connect failed: redis://:${password}@redis:6379`) }, "down");
  const lines = sink.text();
  assert.ok(lines.includes('"msg":"request seen"'), lines);
  assert.ok(lines.includes("redis://***@redis:6379"), lines);
  assert.not.ok(lines.includes(password), lines);
});

test("the per-request log line carries neither the Authorization header nor a query token", async () => {
  const sink = captured();
  const logger = createLogger({ service: "t", replicaId: "r", level: "info" }, sink.stream);
  const app = createApp(logger, createMetrics());
  app.get("/v1/thing", (c) => c.json({ ok: true }));
  const response = await app.request(`/v1/thing?token=${password}`, {
    headers: { authorization: `Bearer ${password}`, cookie: `session=${password}` },
  });
  assert.is(response.status, 200);
  const lines = sink.text();
  assert.ok(lines.includes('"msg":"request"'), lines);
  assert.not.ok(lines.includes(password), lines);
});

test.run();
