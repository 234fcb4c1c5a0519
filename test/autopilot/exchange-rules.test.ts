/**
 * @module The exchange's committed automation rules (`policies/automation/exchange.yaml`)
 * driven through a real autopilot on a real API server with Alertmanager's payloads: an
 * invariant violation on a symbol halts withdrawals and puts the symbol in CANCEL_ONLY; one
 * of unknown scope soft-halts every symbol; settlement lag past T2 throttles the symbol's
 * new orders and past T3 soft-halts it. Each answer is one control, however often it fires.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningAutopilot } from "../../operators/autopilot/autopilot";
import { canonicalJson } from "../../services/kit/canonical-json";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { kubectlOk, setup } from "../operator/cluster";
import {
  alert,
  autopilotUsername,
  installAutopilot,
  outcomes,
  payload,
  send,
  startAutopilotInProcess,
} from "./autopilot-cluster";

let cluster: KubeCluster;
let autopilot: RunningAutopilot;

const exchange = { namespace: "breakwater-services", service: "exchange" };

interface Control {
  readonly kind: string;
  readonly spec: Record<string, unknown>;
}

/** Every control the autopilot created, as kind and spec without the common fields. */
async function controls(): Promise<Control[]> {
  const kinds = "withdrawalhalts,symbolmodes,orderthrottles";
  const out = await kubectlOk(cluster, ["get", kinds, "-n", "payments", "-o", "json"]);
  const items = JSON.parse(out).items as { kind: string; spec: Record<string, unknown> }[];
  return items.map(({ kind, spec }) => {
    assert.is(spec.requestedBy, autopilotUsername);
    const { reason, ticket, requestedBy, dryRun, ...own } = spec;
    assert.is(dryRun, false);
    return { kind, spec: own };
  });
}

function has(all: Control[], kind: string, spec: Record<string, unknown>): boolean {
  const wanted = canonicalJson(spec);
  return all.some((control) => control.kind === kind && canonicalJson(control.spec) === wanted);
}

test.before(
  setup(async () => {
    cluster = await startKube();
    const kubeconfig = await installAutopilot(cluster);
    autopilot = await startAutopilotInProcess(kubeconfig, { AUTOPILOT_IDENTITY: "autopilot-x" });
    await waitUntil("the autopilot leads", async () => autopilot.isLeader(), { timeoutMs: 30_000 });
  }),
);

test.after(async () => {
  await autopilot?.stop();
  await cluster?.stop();
});

test("an invariant violation on a symbol: withdrawals halted, the symbol in CANCEL_ONLY", async () => {
  const labels = { ...exchange, symbol: "BTC-USD", kind: "unsettled_trade", scope: "symbol" };
  const violation = alert({ alertname: "ExchangeInvariantViolation", labels });
  const answer = await send(autopilot, payload([violation, violation]));
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  assert.is(outcomes(answer).created, 2);
  const all = await controls();
  assert.ok(has(all, "WithdrawalHalt", { scope: { services: ["exchange"] } }), JSON.stringify(all));
  assert.ok(
    has(all, "SymbolMode", { symbol: "BTC-USD", mode: "CANCEL_ONLY" }),
    JSON.stringify(all),
  );
  assert.is(all.length, 2);
});

test("a violation of unknown scope soft-halts every symbol, and halts withdrawals once", async () => {
  const labels = { ...exchange, asset: "BTC", kind: "balance_mismatch", scope: "unknown" };
  const answer = await send(
    autopilot,
    payload([alert({ alertname: "ExchangeInvariantViolation", labels })]),
  );
  assert.equal(outcomes(answer), { created: 1, deduplicated: 1 });
  const all = await controls();
  assert.ok(has(all, "SymbolMode", { scope: "Global", mode: "SOFT_HALT" }), JSON.stringify(all));
  assert.is(all.filter((control) => control.kind === "WithdrawalHalt").length, 1);
});

test("settlement lag past T2 throttles the symbol's new orders, past T3 soft-halts it", async () => {
  const labels = { ...exchange, symbol: "ETH-USD" };
  const high = await send(
    autopilot,
    payload([alert({ alertname: "ExchangeSettlementLagHigh", labels })]),
  );
  assert.equal(outcomes(high), { created: 1 });
  const critical = await send(
    autopilot,
    payload([alert({ alertname: "ExchangeSettlementLagCritical", labels })]),
  );
  assert.equal(outcomes(critical), { created: 1 });
  const all = await controls();
  assert.ok(
    has(all, "OrderThrottle", { symbol: "ETH-USD", rate: 50, per: "Second" }),
    JSON.stringify(all),
  );
  assert.ok(has(all, "SymbolMode", { symbol: "ETH-USD", mode: "SOFT_HALT" }), JSON.stringify(all));
});

test("another service's alert of the same name is not the exchange's: nothing is created", async () => {
  const labels = { namespace: "breakwater-services", service: "payments", symbol: "SOL-USD" };
  const before = (await controls()).length;
  await send(autopilot, payload([alert({ alertname: "ExchangeSettlementLagHigh", labels })]));
  assert.is((await controls()).length, before);
});

test.run();
