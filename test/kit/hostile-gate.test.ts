/**
 * @module The hostile-input gate on the kit's own test service (real PostgreSQL and Redis):
 * what every service gets from the kit alone — its routes and the admin controls API — holds
 * under generated hostile requests, and a refused request writes no row.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runHostileGate } from "./hostile-gate";
import { adminToken, useTestService } from "./test-service";

const run = useTestService(test);

async function rows(): Promise<string> {
  const result = await run.service.context.pool.query(
    "SELECT (SELECT count(*) FROM things) AS things, (SELECT count(*) FROM audit_log) AS audit",
  );
  return JSON.stringify(result.rows[0]);
}

test("the kit's routes hold under the gate: no 5xx, documented problem+json, refusals write nothing", async () => {
  const report = await runHostileGate({
    url: run.service.url,
    credentials: { adminBearer: `Bearer ${adminToken}` },
    fields: {
      name: ["widget"],
      amount: ["1", "250"],
      kind: ["WithdrawalHalt", "SymbolMode", "Unknown"],
    },
    snapshot: rows,
    invariants: async () => {
      const listed = await fetch(`${run.service.url}/health/ready`);
      assert.is(listed.status, 200, "still ready after the gate");
    },
    runs: 200,
    timeLimitMs: 60_000,
  });
  assert.ok(report.operations.includes("POST /v1/things"));
  assert.ok(report.operations.includes("PUT /admin/v1/controls/{id}"));
});

test.run();
