/**
 * @module One contract per kind: the CRD generated from a kind's definition, installed on a
 * real kube-apiserver, and the runtime validation derived from the same definition (what
 * the services' admin API and the operator use) accept and refuse the same specs, and a CEL
 * rule's message is the same on both sides.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { controlGroup, controlKinds, controlVersion } from "../../operators/crds/index";
import { type KubeCluster, startKube } from "../harness/kube";
import { installControls, setup } from "./cluster";

type KindName = (typeof controlKinds)[number]["kind"];

interface Example {
  readonly name: string;
  /** The whole spec, common fields included (they default to a valid set). */
  readonly spec: Record<string, unknown>;
  readonly valid: boolean;
  /** A refusal the kind's own fields cause: the admin API refuses it too. */
  readonly own?: boolean;
  /** Part of the message both sides give. */
  readonly message?: string;
}

const common = {
  reason: "ledger imbalance on BTC, payouts unsafe",
  ticket: "INC-1234",
  requestedBy: "alice",
};
const later = new Date(Date.now() + 86_400_000).toISOString();
const many = (count: number, make: (index: number) => string) =>
  Array.from({ length: count }, (_, index) => make(index));

const good = (name: string, spec: Record<string, unknown>): Example => ({
  name,
  spec: { ...common, ...spec },
  valid: true,
});
const own = (name: string, spec: Record<string, unknown>, message?: string): Example => ({
  name,
  spec: { ...common, ...spec },
  valid: false,
  own: true,
  ...(message ? { message } : {}),
});
const bad = (name: string, spec: Record<string, unknown>, message?: string): Example => ({
  name,
  spec,
  valid: false,
  ...(message ? { message } : {}),
});

const letters = (index: number) => `C${String.fromCharCode(65 + (index % 26))}${index}`;

/** Good and bad specs per kind; a new kind must add its own. */
const examples: Record<KindName, readonly Example[]> = {
  WithdrawalHalt: [
    good("no scope: everything", {}),
    good("one currency", { scope: { currencies: ["BTC"] } }),
    good("services and currencies", {
      scope: { services: ["payments"], currencies: ["BTC", "USD"] },
    }),
    good("empty lists", { scope: { services: [], currencies: [] } }),
    good("with expiry and dry run", { expiresAt: later, dryRun: true }),
    own("lower-case currency", { scope: { currencies: ["btc"] } }),
    own("one-letter currency", { scope: { currencies: ["B"] } }),
    own("a currency twice", { scope: { currencies: ["BTC", "BTC"] } }),
    own("a service name with capitals", { scope: { services: ["Payments"] } }),
    own("65 currencies", { scope: { currencies: many(65, letters) } }),
    own("currencies not a list", { scope: { currencies: "BTC" } }),
    bad(
      "a one-word reason",
      { ...common, reason: "imbalanced!!!!" },
      "reason must be a sentence of at least 12 characters",
    ),
    bad(
      "no reason",
      { ticket: "INC-1", requestedBy: "alice" },
      "spec.reason is required: say why, as a sentence",
    ),
    bad("a lower-case ticket", { ...common, ticket: "inc-12" }, "ticket must be an issue key"),
    bad(
      "no ticket",
      { reason: common.reason, requestedBy: "alice" },
      "spec.ticket is required: the incident or change ticket",
    ),
    bad("an empty requestedBy", { ...common, requestedBy: "" }),
    bad("no requestedBy", { reason: common.reason, ticket: "INC-1" }),
    bad("expiresAt not a time", { ...common, expiresAt: "tomorrow" }),
    bad("dryRun not a boolean", { ...common, dryRun: "yes" }),
    bad("a 1025-character reason", { ...common, reason: `ledger ${"x".repeat(1018)}` }),
  ],
  SymbolMode: [
    good("a hard halt", { symbol: "BTC-USD", mode: "HARD_HALT" }),
    good("back to normal", { symbol: "ETH-EUR", mode: "NORMAL" }),
    own("an unknown mode", { symbol: "BTC-USD", mode: "PAUSED" }),
    own("a lower-case symbol", { symbol: "btc-usd", mode: "SOFT_HALT" }),
    own("a symbol without a dash", { symbol: "BTCUSD", mode: "SOFT_HALT" }),
    own("no mode", { symbol: "BTC-USD" }),
    own("no symbol", { mode: "CANCEL_ONLY" }),
    good("every symbol", { scope: "Global", mode: "SOFT_HALT" }),
    own("a global mode naming a symbol", { scope: "Global", symbol: "BTC-USD", mode: "SOFT_HALT" }),
    own("an unknown scope", { scope: "Region", symbol: "BTC-USD", mode: "SOFT_HALT" }),
  ],
  OrderThrottle: [
    good("ten orders a second", { symbol: "BTC-USD", rate: 10, per: "Second" }),
    good("no new orders", { symbol: "ETH-USD", rate: 0, per: "Minute" }),
    own("every symbol", { symbol: "*", rate: 10, per: "Second" }),
    own("a negative rate", { symbol: "BTC-USD", rate: -1, per: "Second" }),
    own("an hourly window", { symbol: "BTC-USD", rate: 10, per: "Hour" }),
    own("no rate", { symbol: "BTC-USD", per: "Second" }),
    good("a Global throttle", { scope: "Global", rate: 1, per: "Minute" }),
    own("a Global throttle naming a symbol", {
      scope: "Global",
      symbol: "BTC-USD",
      rate: 1,
      per: "Minute",
    }),
    own("no symbol", { rate: 10, per: "Second" }),
  ],
  ProviderDisable: [
    good("a provider", { provider: "bad_provider" }),
    own("a provider with spaces", { provider: "bad provider" }),
    own("a 64-character provider", { provider: "p".repeat(64) }),
    own("no provider", {}),
  ],
  PayoutThrottle: [
    good("every currency at 5 per second", { rate: 5, per: "Second" }),
    good("two currencies at 30 per minute", {
      scope: { services: ["payments"], currencies: ["BTC", "USD"] },
      rate: 30,
      per: "Minute",
    }),
    good("a rate of 0 refuses all", { scope: { currencies: ["BTC"] }, rate: 0, per: "Minute" }),
    own("no rate", { per: "Minute" }),
    own("a negative rate", { rate: -1, per: "Second" }),
    own("a fractional rate", { rate: 1.5, per: "Second" }),
    own("an unknown window", { rate: 5, per: "Hour" }),
    own("a lower-case currency", { scope: { currencies: ["usd"] }, rate: 5, per: "Second" }),
  ],
  ReadOnlyMode: [
    good("one service", { services: ["payments"] }),
    good("two services", { services: ["payments", "purchasing"] }),
    own("no service", { services: [] }),
    own("no services field", {}),
    own("a service twice", { services: ["payments", "payments"] }),
    own("an upper-case service", { services: ["Payments"] }),
  ],
  RedisFailover: [
    good("one service", { services: ["payments"] }),
    good("three services", { services: ["payments", "purchasing", "exchange"] }),
    own("no service", { services: [] }),
    own("no services field", {}),
    own("a service twice", { services: ["purchasing", "purchasing"] }),
    own("a service name with a dot", { services: ["payments.eu"] }),
  ],
  SessionRevocation: [
    good("every user of one service", {
      services: ["payments"],
      issuedBefore: "2026-11-29T14:00:00Z",
    }),
    good("two users of two services", {
      services: ["payments", "exchange"],
      issuedBefore: "2026-11-29T14:00:00+01:00",
      subjects: ["user-1", "user-2"],
    }),
    own("no cut-off", { services: ["payments"] }),
    own("a cut-off without a zone", {
      services: ["payments"],
      issuedBefore: "2026-11-29T14:00:00",
    }),
    own("a date only", { services: ["payments"], issuedBefore: "2026-11-29" }),
    own("a subject twice", {
      services: ["payments"],
      issuedBefore: "2026-11-29T14:00:00Z",
      subjects: ["user-1", "user-1"],
    }),
    own("no service", { services: [], issuedBefore: "2026-11-29T14:00:00Z" }),
  ],
  EdgeDegradation: [
    good("the 3.4 actions", { conflationMs: 1000, bookDepth: 20, subscriptionsPerSecond: 2 }),
    own("no depth", { conflationMs: 1000, subscriptionsPerSecond: 2 }),
    own("a depth of 0", { conflationMs: 1000, bookDepth: 0, subscriptionsPerSecond: 2 }),
    own("a fractional window", { conflationMs: 2.5, bookDepth: 20, subscriptionsPerSecond: 2 }),
    own("a window over a minute", {
      conflationMs: 60_001,
      bookDepth: 20,
      subscriptionsPerSecond: 2,
    }),
  ],
  LockFlush: [
    good("a pattern", { pattern: "lock:purchase:*" }),
    good("every field", { pattern: "lock:payout:*", maxKeys: 10, batchSize: 5, redis: "default" }),
    own("a pattern outside lock:", { pattern: "purchase:*" }, "pattern must be a lock key glob"),
    own("a pattern with a space", { pattern: "lock:a b*" }, "pattern must be a lock key glob"),
    own("a too short pattern", { pattern: "lock:" }),
    own("maxKeys 0", { pattern: "lock:purchase:*", maxKeys: 0 }),
    own("maxKeys not an integer", { pattern: "lock:purchase:*", maxKeys: 1.5 }),
    own("batchSize above 10000", { pattern: "lock:purchase:*", batchSize: 10_001 }),
    own("a Redis name with capitals", { pattern: "lock:purchase:*", redis: "Default" }),
  ],
  EscrowResolution: [
    good("a refund", { transactionId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f", decision: "refund" }),
    good("a release", {
      transactionId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f",
      decision: "release",
    }),
    own("no decision", { transactionId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f" }),
    own("another decision", {
      transactionId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f",
      decision: "split",
    }),
    own("a transaction id that is no UUID", { transactionId: "42", decision: "refund" }),
  ],
  CancelAll: [
    good("a symbol", { symbol: "BTC-USD" }),
    good("a dry run", { symbol: "ETH-USD", dryRun: true }),
    own("no symbol", {}),
    own("a lower-case symbol", { symbol: "btc-usd" }),
    own("a symbol without a quote", { symbol: "BTC" }),
  ],
  SettlementReplay: [
    good("every partition from the start", { fromOffset: 0 }),
    good("one symbol of one partition", { fromOffset: 1200, partition: 1, symbol: "BTC-USD" }),
    own("no offset", {}),
    own("a negative offset", { fromOffset: -1 }),
    own("an offset as text", { fromOffset: "0" }),
    own("a lower-case symbol", { fromOffset: 0, symbol: "btc-usd" }),
  ],
  WebhookReplay: [
    good("an event id", { eventId: "0b7e2c4a-3f1d-4e8b-9a6c-5d2f1e0a9b8c" }),
    good("a dry run", { eventId: "0b7e2c4a-3f1d-4e8b-9a6c-5d2f1e0a9b8c", dryRun: true }),
    own("no event id", {}),
    own("an event id that is no UUID", { eventId: "evt_123" }),
  ],
};

let cluster: KubeCluster;

test.before(
  setup(async () => {
    cluster = await startKube();
    await installControls(cluster);
  }),
);

test.after(async () => {
  await cluster?.stop();
});

/** What the API server says to a server-side dry-run create of `spec`. */
async function apiServer(kind: string, name: string, spec: Record<string, unknown>) {
  const object = {
    apiVersion: `${controlGroup}/${controlVersion}`,
    kind,
    metadata: { name, namespace: "payments" },
    spec,
  };
  const result = await cluster.kubectl(["create", "--dry-run=server", "-f", "-"], {
    input: JSON.stringify(object),
  });
  return { accepted: result.code === 0, stderr: result.stderr };
}

for (const definition of controlKinds) {
  test(`${definition.kind}: the CRD and the runtime validation agree on every example`, async () => {
    const table = examples[definition.kind];
    assert.ok(table.some((example) => example.valid) && table.some((example) => !example.valid));
    for (const [index, example] of table.entries()) {
      const label = `${definition.kind}: ${example.name}`;
      const server = await apiServer(definition.kind, `example-${index}`, example.spec);
      const runtime = definition.fullSpec.safeParse(example.spec);
      assert.is(server.accepted, example.valid, `${label}: API server: ${server.stderr}`);
      assert.is(runtime.success, example.valid, `${label}: runtime validation`);
      if (example.message) {
        assert.match(server.stderr, example.message, label);
        const messages = runtime.error?.issues.map((issue) => issue.message).join("\n") ?? "";
        assert.match(messages, example.message, label);
      }
      // The admin API validates the kind's own fields with `definition.spec`.
      if (example.valid || example.own) {
        const admin = definition.spec.safeParse(example.spec);
        assert.is(admin.success, example.valid, `${label}: admin API validation`);
      }
    }
  });
}

test.run();
