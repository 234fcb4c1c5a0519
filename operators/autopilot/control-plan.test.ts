/**
 * @module Tests what a rule makes of an alert: a name that depends only on rule and target
 * (so every delivery of one incident names one control), the spec from the alert's labels,
 * the ticket and reason, and the limits as pure functions of the state.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ActiveRule } from "../../policies/automation/load-rules";
import { controlName, planControl, reasonFor, ruleMatches, ticketFor } from "./control-plan";
import { budgetRemaining, coolingDown, rateLimited } from "./limits";
import type { AutopilotState } from "./state-store";
import type { WebhookAlert } from "./webhook-payload";

const rule: ActiveRule = {
  name: "payments-ledger-imbalance",
  alert: "PaymentsLedgerImbalance",
  matchers: { service: "payments" },
  target: ["currency"],
  control: {
    kind: "WithdrawalHalt",
    spec: { scope: { services: ["payments"], currencies: ["{{currency}}"] } },
  },
  ticket: "INC-1",
  modes: { prod: "auto" },
  limits: { perWindow: 2, windowMinutes: 60, cooldownMinutes: 30 },
  liftOnResolve: false,
  file: "policies/automation/payments.yaml",
  mode: "auto",
};

function alert(
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): WebhookAlert {
  return {
    status: "firing",
    labels: { alertname: "PaymentsLedgerImbalance", service: "payments", ...labels },
    annotations: { summary: "Reconciliation found the ledger out of balance.", ...annotations },
    startsAt: "2026-11-29T08:00:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "",
    fingerprint: "0123456789abcdef",
  };
}

test("the name depends on rule and target only, and distinct targets stay distinct", () => {
  const a = planControl(rule, alert({ currency: "BTC", instance: "a" }), "payments");
  const b = planControl(
    rule,
    { ...alert({ currency: "BTC", instance: "b" }), fingerprint: "ff" },
    "payments",
  );
  assert.is(a.name, "payments-ledger-imbalance-btc");
  assert.is(b.name, a.name);
  assert.is(a.target, "currency=BTC");
  assert.equal(a.spec, { scope: { services: ["payments"], currencies: ["BTC"] } });
  assert.is.not(controlName(rule.name, ["usd"]), controlName(rule.name, ["USD"]));
  assert.match(controlName(rule.name, ["usd"]), /^payments-ledger-imbalance-[0-9a-f]{12}$/);
  assert.ok(controlName(rule.name, ["X".repeat(40)]).length <= 63);
});

test("an alert without a target label, or another service's, is not this rule's", () => {
  assert.throws(() => planControl(rule, alert({}), "payments"), /no currency label/);
  assert.not.ok(ruleMatches(rule, alert({ currency: "BTC", service: "exchange" })));
  assert.ok(ruleMatches(rule, alert({ currency: "BTC" })));
});

test("the ticket is the alert's when well formed, else the rule's; the reason quotes the summary", () => {
  assert.is(ticketFor(rule, alert({ currency: "BTC" }, { ticket: "PAY-77" })), "PAY-77");
  assert.is(ticketFor(rule, alert({ currency: "BTC" }, { ticket: "see slack" })), "INC-1");
  assert.is(
    reasonFor(rule, alert({ currency: "BTC" }), "currency=BTC"),
    "Reconciliation found the ledger out of balance. (alert PaymentsLedgerImbalance on currency=BTC, automation rule payments-ledger-imbalance)",
  );
});

test("cooldown, rate and budget are counted from the state", () => {
  const nowMs = 10 * 3_600_000;
  const state: AutopilotState = {
    created: [
      { rule: rule.name, target: "currency=BTC", atMs: nowMs - 61 * 60_000, automatic: true },
      { rule: rule.name, target: "currency=ETH", atMs: nowMs - 10 * 60_000, automatic: true },
      { rule: rule.name, target: "currency=SOL", atMs: nowMs - 5 * 60_000, automatic: false },
    ],
    open: {},
    lifted: {
      [`${rule.name}|currency=ETH`]: nowMs - 29 * 60_000,
      [`${rule.name}|currency=BTC`]: nowMs - 31 * 60_000,
    },
  };
  assert.ok(coolingDown(state, rule, "currency=ETH", nowMs));
  assert.not.ok(coolingDown(state, rule, "currency=BTC", nowMs));
  assert.ok(rateLimited(state, rule, nowMs), "two in the last hour");
  assert.is(
    budgetRemaining(state, { count: 3, windowMs: 3_600_000 }, nowMs),
    2,
    "only automatic ones count",
  );
});

test.run();
