/**
 * @module Drill: split brain suspected (seed 002 §3.3, SEV1). BTC-USD's sequencer lease is
 * handed to the other replica behind its holder's back, with a new fencing token, as a
 * stalled leader whose lease expired would find it: for a moment both replicas believe they
 * sequence BTC-USD. An order sent straight to the old leader is refused by the engine log's
 * fence (`FENCING_TOKEN`, `exchange_fencing_token_rejections_total`), ExchangeSplitBrainSuspected
 * fires and pages, and on call does what the runbook says: a SymbolMode HARD_HALT on BTC-USD,
 * enforced on both replicas (orders and cancels refused, the book frozen, ETH-USD trading on),
 * the status page shows it; the log shows one writer per token and no seq written twice.
 * Recovery resumes in CANCEL_ONLY first, the alert resolves, and alice deletes the mode.
 */

import { alertFiring, alertResolved, alertRouted, oncallPaged } from "./alert-steps";
import {
  type ControlResource,
  enforcedEverywhere,
  lift,
  resolvedIncident,
  tradingStatus,
} from "./exchange-controls";
import {
  type ExchangeTraders,
  everyExchangeReplica,
  exchangeTraders,
  ordersTaken,
  restingBuy,
} from "./exchange-traders";
import type { PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const alertname = "ExchangeSplitBrainSuspected";
const symbol = "BTC-USD";
const other = "ETH-USD";
const trader = "demo-buyer";
const modeName = "split-brain-btc-usd";
const namespace = "breakwater-services";

const rejections = (platform: PlatformClient) =>
  platform.metricSum("exchange", "exchange_fencing_token_rejections_total", { symbol });

/** The replica ids and URLs, in the platform's order (`exchange-1` is the first URL). */
function replicaIds(platform: PlatformClient): { id: string; url: string }[] {
  return platform.replicas("exchange").map((url, index) => ({ id: `exchange-${index + 1}`, url }));
}

/**
 * Hand BTC-USD's lease to the replica that does not hold it, with the next fencing token, then
 * send an order straight to the old holder (which still believes it leads): the URL it went to.
 */
async function takeOver(platform: PlatformClient, traders: ExchangeTraders): Promise<string> {
  const lease = await platform.sql(
    "exchange",
    "SELECT holder FROM exchange_leases WHERE symbol = $1 AND expires_at > now()",
    [symbol],
  );
  const holder = lease.rows[0]?.holder as string | undefined;
  const replicas = replicaIds(platform);
  const old = replicas.find((replica) => replica.id === holder);
  const next = replicas.find((replica) => replica.id !== holder);
  if (old === undefined || next === undefined)
    throw new Error(`${symbol} has no leader to take over from`);
  await platform.sql(
    "exchange",
    `UPDATE exchange_leases SET holder = $2, advertise_url = $3, fencing_token = fencing_token + 1,
            expires_at = now() + interval '10 seconds'
      WHERE symbol = $1`,
    [symbol, next.id, next.url],
  );
  await traders.order(old.url, trader, restingBuy(symbol));
  return `${holder} → ${next.id}, an order sent to ${old.url}`;
}

/** Every token's rows form one run of seqs, after the previous token's: one writer at a time. */
async function oneWriter(platform: PlatformClient): Promise<string | false> {
  const result = await platform.sql(
    "exchange",
    `SELECT fencing_token::text AS token, min(seq)::text AS first, max(seq)::text AS last, count(*)::text AS rows,
            count(DISTINCT seq)::text AS seqs
       FROM exchange_engine_log WHERE symbol = $1 GROUP BY fencing_token ORDER BY fencing_token`,
    [symbol],
  );
  const lease = await platform.sql(
    "exchange",
    "SELECT holder, fencing_token::text AS token FROM exchange_leases WHERE symbol = $1",
    [symbol],
  );
  const { holder, token } = lease.rows[0] as { holder: string; token: string };
  const runs = result.rows as {
    token: string;
    first: string;
    last: string;
    rows: string;
    seqs: string;
  }[];
  const ordered = runs.every(
    (run, index) =>
      run.rows === run.seqs && (index === 0 || BigInt(runs[index - 1]!.last) < BigInt(run.first)),
  );
  const log = runs.map((run) => `token ${run.token}: seq ${run.first}–${run.last}`).join(", ");
  return ordered && `lease: ${holder}, token ${token}; log: ${log}`;
}

function symbolMode(mode: string) {
  return {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "SymbolMode",
    metadata: { name: modeName, namespace },
    spec: {
      reason: "split brain suspected on BTC-USD: FENCING_TOKEN refusals",
      ticket: "INC-3003",
      requestedBy: "alice",
      symbol,
      mode,
    },
  };
}

const currentMode = (platform: PlatformClient): Promise<ControlResource | undefined> =>
  platform.resource(`symbolmode/${modeName}`, namespace);

async function hardHalt(run: DrillRun, traders: ExchangeTraders, resting: string): Promise<void> {
  const { platform } = run;
  await platform.apply("alice", symbolMode("HARD_HALT"));
  await run.step(
    "on-call decided: alice applied SymbolMode HARD_HALT on BTC-USD (runbook 3.3)",
    async () => `symbolmode/${modeName}`,
  );
  await run.step("HARD_HALT enforced on every replica", async () =>
    enforcedEverywhere(platform, await currentMode(platform)),
  );
  await run.step(`customers refused: ${symbol} orders 423 on every replica`, () =>
    everyExchangeReplica(traders, 423, (url) => traders.order(url, trader, restingBuy(symbol))),
  );
  await run.step(`book frozen: ${symbol} cancels 423 on every replica`, () =>
    everyExchangeReplica(traders, 423, (url) => traders.cancel(url, trader, resting)),
  );
  await run.step(`customers unaffected: ${other} orders taken on every replica`, () =>
    ordersTaken(traders, trader, other),
  );
  await run.step(`status page: trading ${symbol} unavailable, ${other} operational`, async () => {
    const halted = await tradingStatus(platform, symbol);
    const open = await tradingStatus(platform, other);
    return halted === "major_outage" && open === "operational" && `${halted}, ${open}`;
  });
}

async function resume(run: DrillRun, traders: ExchangeTraders, resting: string): Promise<void> {
  const { platform } = run;
  await platform.apply("alice", symbolMode("CANCEL_ONLY"));
  await run.step("recovery: alice resumes BTC-USD in CANCEL_ONLY first", async () => {
    const mode = await currentMode(platform);
    return (
      mode?.spec.mode === "CANCEL_ONLY" &&
      (await everyExchangeReplica(traders, 423, (url) =>
        traders.order(url, trader, restingBuy(symbol)),
      ))
    );
  });
  const [url] = traders.replicas();
  await run.step("cancels accepted again (CANCEL_ONLY)", async () => {
    const answer = await traders.cancel(url!, trader, resting);
    return answer.status === 200 && `order ${resting} cancelled`;
  });
}

export const splitBrain: PlatformScenario = {
  name: "split-brain",
  playbook: "seed 002 (exchange) §3.3: Split-brain suspected",
  summary:
    "BTC-USD's lease taken over behind its leader: FENCING_TOKEN refusal, alert, page, HARD_HALT by on-call on every replica, one writer checked, CANCEL_ONLY, lift by a person",
  async run(run) {
    const { platform } = run;
    const traders = exchangeTraders(platform);
    await run.step(`platform ready: ${symbol} orders taken, market operational`, async () => {
      if (await currentMode(platform)) throw new Error(`${modeName} already exists: lift it first`);
      return (
        (await tradingStatus(platform, symbol)) === "operational" &&
        ordersTaken(traders, trader, symbol)
      );
    });
    const placed = await traders.order(traders.replicas()[0]!, trader, restingBuy(symbol));
    if (placed.status !== 201) throw new Error(`a resting order answered ${placed.status}`);
    const resting = placed.body.orderId as string;
    run.undo(async () => {
      await platform.kubectl("alice", [
        "delete",
        `symbolmode/${modeName}`,
        "-n",
        namespace,
        "--ignore-not-found",
        "--timeout=60s",
      ]);
      await traders.cancel(traders.replicas()[0]!, trader, resting);
    });
    const before = await rejections(platform);
    let taken = "";
    await run.step(
      "fault injected: BTC-USD's lease taken over behind its leader's back",
      async () => {
        taken = await takeOver(platform, traders);
        const now = await rejections(platform);
        return now > before && taken;
      },
    );
    await run.step(
      'metric: exchange_fencing_token_rejections_total{symbol="BTC-USD"} increments',
      async () => {
        const now = await rejections(platform);
        return now > before && `${before} → ${now} (FENCING_TOKEN)`;
      },
    );
    await alertFiring(run, alertname, { symbol }, { timeoutMs: 120_000 });
    await alertRouted(run, "Alertmanager routes it to the pager", alertname, ["pager"]);
    await oncallPaged(run, alertname);
    await hardHalt(run, traders, resting);
    await run.step(
      "fencing kept one writer: one holder, each token's seqs after the last, none twice",
      () => oneWriter(platform),
    );
    await resume(run, traders, resting);
    await alertResolved(
      run,
      "resolution: alert resolved",
      alertname,
      { symbol },
      {
        timeoutMs: 240_000,
        intervalMs: 2000,
      },
    );
    const mode = await currentMode(platform);
    if (mode) await lift(platform, mode);
    await run.step(`lift: alice deleted the mode, ${symbol} orders taken on every replica`, () =>
      ordersTaken(traders, trader, symbol),
    );
    await run.step("status page: operational again, incident in history", async () => {
      const incident = await resolvedIncident(platform, `Trading ${symbol}`);
      return (
        (await tradingStatus(platform, symbol)) === "operational" &&
        incident !== undefined &&
        incident
      );
    });
  },
};
