/**
 * @module The drills, run as a user runs them (`npm run drill -- <name>`) against the platform
 * `npm start` runs: seed 001's provider outage with a flapping breaker, seed 000's ledger
 * imbalance, seed 002's invariant violation and split brain (its settlement-lag drill takes
 * three minutes and is left to `npm run drill`, see drills/README.md), seed 004's stuck escrow
 * and seed 003's leaked key; each passes every step from fault to lift and prints its
 * timeline. A drill name
 * that does not exist, or no platform running, is a usage error naming the drills.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTempDir } from "../harness/process";
import { type PlatformProcess, startPlatformProcess } from "../local/platform-process";
import { setup } from "../operator/cluster";

const exec = promisify(execFile);
const root = resolve(import.meta.dirname, "..", "..");
let platform: PlatformProcess;

async function drill(args: string[], env: NodeJS.ProcessEnv = platform.env) {
  try {
    const { stdout, stderr } = await exec("npm", ["run", "--silent", "drill", "--", ...args], {
      cwd: root,
      env,
      timeout: 600_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The timeline's step lines: `+offset duration ok|FAIL name  detail`. */
const stepLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => /^ +\+\d+\.\d\d s +\d+\.\d\d s {2}(ok {2}|FAIL) {2}/.test(line));

/** The drill passed: exit 0, every step ok, each of `steps` in the timeline, `count` steps in all. */
function assertPassed(
  name: string,
  result: Awaited<ReturnType<typeof drill>>,
  steps: string[],
  count: number,
) {
  assert.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const lines = stepLines(result.stdout);
  assert.ok(
    lines.every((line) => !line.includes(" FAIL ")),
    lines.join("\n"),
  );
  for (const step of steps)
    assert.ok(
      lines.some((line) => line.includes(step)),
      step,
    );
  assert.match(result.stdout, new RegExp(`drill ${name} passed: ${count} steps in \\d+\\.\\d s`));
}

test.before(
  setup(async () => {
    platform = await startPlatformProcess();
  }),
);

test.after(async () => {
  await platform?.interrupt();
});

test("provider-outage: breaker opens and flaps, alert, disable enforced, status page, recovery, lift", async () => {
  const result = await drill(["provider-outage"]);
  assertPassed(
    "provider-outage",
    result,
    [
      "breaker OPEN for provider a",
      "breaker flaps",
      "PurchasingProviderBreakerFlapping firing in Prometheus",
      "disable enforced on every replica  2/2 replicas",
      "status page: purchases from provider a affected",
      "lift: alice deleted the disable",
    ],
    14,
  );
});

/** The commands of the README's quick start, comments removed. */
function quickStart(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "");
}

test("the README's quick start: CI runs npm ci and npm test; npm start runs this platform", () => {
  const commands = quickStart();
  assert.equal(commands, ["npm ci", "npm start", "npm run drill -- ledger-imbalance", "npm test"]);
  const ci = readFileSync(join(root, ".ci", "run"), "utf8");
  assert.match(ci, /^npm ci\b/m);
  assert.match(ci, /^npm test$/m);
  assert.match(platform.output(), "> tsx local/start.ts", "the platform under test is npm start's");
});

test("ledger-imbalance, as the README runs it: metric, alert, page, autopilot halt on every replica, status page, correction, lift", async () => {
  const command = quickStart().find((line) => line.startsWith("npm run drill -- "))!;
  const result = await drill(command.slice("npm run drill -- ".length).split(" "));
  assertPassed(
    "ledger-imbalance",
    result,
    [
      'ledger_imbalance_total{currency="BTC"} increments',
      "PaymentsLedgerImbalance firing in Prometheus",
      "on-call paged",
      "autopilot decided: WithdrawalHalt created",
      "halt enforced on every replica  2/2 replicas",
      "BTC payouts 423 on every replica",
      "ETH payouts still paid",
      "status page: payouts in BTC affected",
      "the halt stays after the alert resolves",
      "lift: alice deleted the halt",
    ],
    15,
  );
});

test("an unknown drill, or none running, is a usage error that lists the drills", async () => {
  const unknown = await drill(["no-such-drill"]);
  assert.is(unknown.code, 2);
  assert.match(
    unknown.stderr,
    'unknown scenario "no-such-drill"; known scenarios: ledger-imbalance, provider-outage, restore',
  );
  const nothing = await drill(["ledger-imbalance"], {
    ...process.env,
    BREAKWATER_STATE_DIR: makeTempDir("no-platform"),
  });
  assert.is(nothing.code, 2);
  assert.match(nothing.stderr, "no platform is running: start one with `npm start`");
});

test("invariant-violation: BTC books changed, alert, page, autopilot halt and global SOFT_HALT on every replica, status page, correction, lift", async () => {
  const result = await drill(["invariant-violation"]);
  assertPassed(
    "invariant-violation",
    result,
    [
      'invariant_violation_total{asset="BTC",kind="balance_mismatch"} increments',
      "ExchangeInvariantViolation firing in Prometheus  asset=BTC kind=balance_mismatch scope=unknown",
      "receivers: autopilot, pager",
      "on-call paged",
      "autopilot decided: WithdrawalHalt and Global SOFT_HALT created  exchange-invariant-withdrawals-",
      "halt enforced on every replica  2/2 replicas",
      "SOFT_HALT enforced on every replica  2/2 replicas",
      "withdrawals 423 on every replica  2/2 replicas answer 423 withdrawals/halted",
      "new BTC-USD orders 423 on every replica  2/2 replicas answer 423 exchange/soft-halt",
      "new ETH-USD orders 423 on every replica",
      "cancels still accepted (SOFT_HALT)",
      "status page: every market unavailable  major_outage, major_outage",
      "forensic bundle written",
      "the controls stay after the alert resolves",
      "lift: alice deleted both, orders and withdrawals pass on every replica",
    ],
    20,
  );
});

test("split-brain: lease taken over, FENCING_TOKEN, alert, page, HARD_HALT on every replica, one writer, CANCEL_ONLY, lift", async () => {
  const result = await drill(["split-brain"]);
  assertPassed(
    "split-brain",
    result,
    [
      "fault injected: BTC-USD's lease taken over behind its leader's back",
      'exchange_fencing_token_rejections_total{symbol="BTC-USD"} increments',
      "ExchangeSplitBrainSuspected firing in Prometheus  symbol=BTC-USD",
      "on-call paged",
      "HARD_HALT enforced on every replica  2/2 replicas",
      "BTC-USD orders 423 on every replica  2/2 replicas answer 423 exchange/hard-halt",
      "book frozen: BTC-USD cancels 423 on every replica",
      "ETH-USD orders taken on every replica",
      "status page: trading BTC-USD unavailable, ETH-USD operational",
      "fencing kept one writer",
      "recovery: alice resumes BTC-USD in CANCEL_ONLY first",
      "cancels accepted again (CANCEL_ONLY)",
      "resolution: alert resolved",
      "lift: alice deleted the mode",
    ],
    18,
  );
});

test("stuck-escrow: metric, alert, EscrowResolution by alice approved by bob, seller paid, alert resolved", async () => {
  const result = await drill(["stuck-escrow"]);
  assertPassed(
    "stuck-escrow",
    result,
    [
      "escrow_stuck_transactions counts it",
      "EscrowStuckTransactions firing in Prometheus",
      "Alertmanager routes it (a warning: a ticket)",
      "four eyes: above the approval amount it waits for a second person  Pending",
      "alice's own approval is refused",
      "bob approved: escrow released it (Completed)  transaction released, changed true",
      "the provider paid the seller, the hold is empty",
      "actor alice, approved by bob, INC-5150",
      "EscrowStuckTransactions no longer firing",
    ],
    17,
  );
});

test("leaked-key: SessionRevocation on every replica, leaked session refused, fresh login works, status page, lift", async () => {
  const result = await drill(["leaked-key"]);
  assertPassed(
    "leaked-key",
    result,
    [
      "revocation enforced on every replica  2/2 replicas",
      "the leaked session gets 401 auth/session-revoked  2/2 replicas answer 401",
      "a fresh login of demo-buyer (password and code) works  2/2 replicas answer 200",
      'status page: escrow releases degraded, customers told to sign in  "For your security',
      "status page: operational again, incident in history",
    ],
    10,
  );
});

test.run();
