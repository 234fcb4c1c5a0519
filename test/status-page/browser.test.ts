/**
 * @module The status page in a real browser (Debian's Chromium, headless) on the platform
 * `npm start` runs, before, during and after a halt of BTC payouts that carries a public
 * message: operational, then payouts in BTC affected with the message, then operational with
 * the incident in the history. The screenshots are kept as test artifacts in
 * `.breakwater/artifacts/status-page/` (or `$BREAKWATER_ARTIFACTS_DIR`).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type PlatformClient, platformClient } from "../../drills/platform-client";
import { waitUntil } from "../harness/process";
import { type PlatformProcess, startPlatformProcess } from "../local/platform-process";
import { setup } from "../operator/cluster";
import { renderedDom, screenshot } from "./chromium";

const artifacts = join(
  process.env.BREAKWATER_ARTIFACTS_DIR ??
    join(resolve(import.meta.dirname, "..", ".."), ".breakwater", "artifacts"),
  "status-page",
);
const publicMessage = "Bitcoin withdrawals are paused during a node upgrade. Your funds are safe.";
let platform: PlatformProcess;
let client: PlatformClient;

async function componentStatus(id: string): Promise<string | undefined> {
  const summary = (await client.statusSummary()).body;
  return (summary.components as { id: string; status: string }[]).find(
    (component) => component.id === id,
  )?.status;
}

/** The page's DOM in Chromium and a screenshot named `name`. */
async function inBrowser(name: string): Promise<string> {
  const path = join(artifacts, `${name}.png`);
  await screenshot(platform.state.endpoints.statusPage, path);
  assert.equal(
    [...readFileSync(path).subarray(0, 4)],
    [0x89, 0x50, 0x4e, 0x47],
    `${path} is a PNG`,
  );
  return renderedDom(platform.state.endpoints.statusPage);
}

/** The status word of the component row `id` in the DOM. */
function rowStatus(dom: string, id: string): string | undefined {
  return new RegExp(`data-component="${id}" data-status="([a-z_]+)"`).exec(dom)?.[1];
}

test.before(
  setup(async () => {
    mkdirSync(artifacts, { recursive: true });
    platform = await startPlatformProcess();
    client = platformClient(platform.state);
  }),
);

test.after(async () => {
  await client?.close();
  await platform?.interrupt();
});

test("before: every capability is operational and no incident was reported", async () => {
  const dom = await inBrowser("1-before");
  assert.match(dom, "All Systems Operational");
  for (const id of ["payouts:btc", "payouts:eth", "purchases:a", "purchases:b", "purchases:c"])
    assert.is(rowStatus(dom, id), "operational", id);
  assert.match(dom, 'id="no-past-incidents"');
});

test("during: a halt of BTC payouts shows payouts in BTC affected, with its public message", async () => {
  await client.apply("alice", {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "WithdrawalHalt",
    metadata: { name: "btc-node-upgrade", namespace: "payments" },
    spec: {
      scope: { services: ["payments"], currencies: ["BTC"] },
      reason: "BTC node upgrade, payouts paused",
      ticket: "CHG-77",
      requestedBy: "alice",
      publicMessage,
    },
  });
  await waitUntil(
    "the status page shows the halt",
    async () => (await componentStatus("payouts:btc")) === "major_outage",
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const dom = await inBrowser("2-during");
  assert.is(rowStatus(dom, "payouts:btc"), "major_outage");
  assert.is(rowStatus(dom, "payouts:eth"), "operational");
  assert.match(dom, "Partial System Outage");
  assert.match(dom, "Current incidents");
  assert.match(dom, publicMessage);
  assert.not.match(dom, "CHG-77", "the ticket is internal");
  const summary = (await client.statusSummary()).body;
  assert.is(summary.status.indicator, "major");
  assert.is(summary.incidents[0].status, "identified");
  assert.is(summary.incidents[0].impact, "major");
  assert.is(summary.incidents[0].incident_updates[0].body, publicMessage);
});

test("after: the lift brings payouts in BTC back, the incident is in the history", async () => {
  await client.kubectl("alice", [
    "delete",
    "withdrawalhalt/btc-node-upgrade",
    "-n",
    "payments",
    "--timeout=60s",
  ]);
  await waitUntil(
    "the status page shows the lift",
    async () => (await componentStatus("payouts:btc")) === "operational",
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const dom = await inBrowser("3-after");
  assert.match(dom, "All Systems Operational");
  assert.is(rowStatus(dom, "payouts:btc"), "operational");
  assert.match(dom, /data-incident-status="resolved"/);
  assert.match(dom, `Resolved. ${publicMessage}`);
  const history = (await client.statusIncidents()).body;
  assert.is(history.incidents.length, 1);
  assert.is(history.incidents[0].status, "resolved");
  assert.ok(history.incidents[0].resolved_at > history.incidents[0].started_at);
});

test.run();
