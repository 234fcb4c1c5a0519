/**
 * @module `npm run smoke -- payments` (what the PostSync Job runs) against a real payments
 * replica: every check passes while it is ready; when its PostgreSQL is gone the readiness
 * check fails and the program exits 1 naming it; a missing SMOKE_URL is one line.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type PaymentsFixture, startPaymentsFixture } from "./payments-fixture";

const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
let fixture: PaymentsFixture;
let url: string;

/** Run the program without blocking this process, which serves the replica it checks. */
function smoke(env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      tsx,
      ["services/smoke.ts", "payments"],
      { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } },
      (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}

test.before(async () => {
  fixture = await startPaymentsFixture();
  const replica = await fixture.startReplica();
  url = `http://127.0.0.1:${replica.port}`;
});

test.after(async () => {
  await fixture?.stop();
  await fixture?.redis.stop();
  await fixture?.postgres.stop();
});

test("a ready replica passes every smoke check", async () => {
  const result = await smoke({ SMOKE_URL: url });
  assert.is(result.status, 0, result.stdout + result.stderr);
  const lines = result.stdout.trim().split("\n");
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /^ok {3}payments GET \/health\/ready \(\d+ ms\)$/);
  assert.match(lines[1]!, /^ok {3}payments GET \/openapi\.json \(\d+ ms\)$/);
});

test("a missing SMOKE_URL is one line naming it", async () => {
  const result = await smoke({});
  assert.is(result.status, 1);
  assert.is(result.stderr, "SMOKE_URL: required but not set\n");
});

test("a replica that lost PostgreSQL fails the readiness check, exit 1", async () => {
  await fixture.postgres.stop();
  const result = await smoke({ SMOKE_URL: url });
  assert.is(result.status, 1, result.stdout);
  assert.match(result.stdout, /^FAIL payments GET \/health\/ready \(\d+ ms\): 503 .*postgresql/m);
});

test.run();
