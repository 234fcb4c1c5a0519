/**
 * @module The settlement's commands run as a user runs them, as processes against real
 * PostgreSQL and Kafka: `npm run settlement -- replay` posts what is missing and nothing
 * twice, `check` exits 2 on a violation, `npm run forensics -- exchange` writes the bundle
 * with checksums; bad input is one line naming it, and no password is ever printed.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Producer } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pool } from "../../services/kit/db";
import { createKafka } from "../../services/kit/kafka";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { makeTempDir } from "../harness/process";
import {
  createEngineLog,
  createTradesTopic,
  exchangeBalances,
  exchangeLedger,
  expectedBalances,
  fundTrader,
  logTrade,
  publishTrades,
  trade,
} from "./exchange-ledger";

const root = resolve(import.meta.dirname, "..", "..");
let postgres: PostgresServer;
let broker: KafkaServer;
let pool: Pool;
let databaseUrl: string;
let producer: Producer;
const trades = [2, 4, 6, 8].map((seq) => trade("BTC-USD", seq, "alice", "bob", 1000n, 3_000_000n));

/** Run a command of package.json's scripts as `npm run` does, with only these variables. */
function run(script: string, args: string[], env: Record<string, string>) {
  const [file] = /tsx (\S+)/
    .exec(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts[script])!
    .slice(1);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", file!, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

function settings() {
  return { DATABASE_URL: databaseUrl, KAFKA_BROKERS: broker.brokers.join(",") };
}

test.before(async () => {
  [postgres, broker] = await Promise.all([startPostgres(), startKafka()]);
  databaseUrl = await postgres.createDatabase();
  pool = await exchangeLedger(databaseUrl);
  await createEngineLog(pool);
  for (const trader of ["alice", "bob"]) {
    await fundTrader(pool, trader, "USD", 10_000_000n, 5_000_000n);
    await fundTrader(pool, trader, "BTC", 10_00000000n, 5_00000000n);
  }
  const kafka = createKafka(broker.brokers, "commands-test");
  await createTradesTopic(kafka, 2);
  producer = kafka.producer();
  await producer.connect();
  await publishTrades(producer, trades);
  for (const t of trades) await logTrade(pool, t, 120_000);
});

test.after(async () => {
  await producer?.disconnect().catch(() => undefined);
  await pool?.end();
  await Promise.all([broker?.stop(), postgres?.stop()]);
});

test("replay posts every trade once; a second replay changes nothing", async () => {
  const start = await exchangeBalances(pool);
  const first = await run("settlement", ["replay", "--from", "0"], settings());
  assert.is(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout);
  assert.is(result.msg, "settlement replayed");
  assert.is(result.posted, 4);
  const second = JSON.parse(
    (await run("settlement", ["replay", "--from", "0"], settings())).stdout,
  );
  assert.equal([second.posted, second.duplicates], [0, 4]);
  assert.equal(
    Object.fromEntries(await exchangeBalances(pool)),
    Object.fromEntries(expectedBalances(start, trades)),
  );
});

test("check exits 0 while the invariants hold, 2 naming the violation once one breaks", async () => {
  const healthy = await run("settlement", ["check"], settings());
  assert.is(healthy.code, 0, healthy.stderr);
  assert.is(JSON.parse(healthy.stdout).msg, "every invariant holds");
  await pool.query(
    "UPDATE balances SET amount = amount - 7 WHERE account = 'exchange:bob' AND currency = 'USD'",
  );
  const broken = await run("settlement", ["check"], settings());
  assert.is(broken.code, 2, broken.stderr);
  const report = JSON.parse(broken.stdout);
  assert.equal(
    report.violations.map((v: { kind: string; asset: string }) => [v.kind, v.asset]),
    [["balance_mismatch", "USD"]],
  );
});

test("forensics writes the bundle where asked, every file checksummed, no password", async () => {
  const directory = join(makeTempDir("forensics"), "bundle");
  const answer = await run("forensics", ["exchange"], { ...settings(), FORENSICS_DIR: directory });
  assert.is(answer.code, 0, answer.stderr);
  const manifest = JSON.parse(answer.stdout);
  assert.is(manifest.directory, directory);
  const names = Object.keys(manifest.files).sort();
  assert.equal(names, [
    "config.json",
    "engine-log.jsonl",
    "invariants.json",
    "kafka-offsets.json",
    "ledger-entries.jsonl",
    "ledger-range.json",
  ]);
  for (const name of names) {
    const text = readFileSync(join(directory, name), "utf8");
    assert.is(createHash("sha256").update(text).digest("hex"), manifest.files[name].sha256, name);
  }
  const engineLog = readFileSync(join(directory, "engine-log.jsonl"), "utf8").trim().split("\n");
  assert.equal(
    engineLog.map((line) => JSON.parse(line).seq),
    ["2", "4", "6", "8"],
  );
  const offsets = JSON.parse(readFileSync(join(directory, "kafka-offsets.json"), "utf8"));
  const ends = offsets.partitions["exchange.trades"].map((p: { high: string }) => Number(p.high));
  assert.is(
    ends.reduce((sum: number, end: number) => sum + end, 0),
    4,
  );
  const entries = readFileSync(join(directory, "ledger-entries.jsonl"), "utf8");
  assert.match(entries, "exchange-trade:BTC-USD:8");
  const invariants = JSON.parse(readFileSync(join(directory, "invariants.json"), "utf8"));
  assert.is(invariants.violations[0].kind, "balance_mismatch");
  // The userinfo as written: the harness's password alone is a word found everywhere here.
  const password = `:${new URL(databaseUrl).password}@`;
  for (const text of [
    answer.stdout,
    answer.stderr,
    readFileSync(join(directory, "config.json"), "utf8"),
  ]) {
    assert.not.match(text, password);
  }
  assert.ok(existsSync(join(directory, "manifest.json")));
});

test("bad input is one line naming what is wrong, and no password", async () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ["settlement", ["replay", "--from=-1"], settings(), /^settlement: --from: expected an offset/],
    [
      "settlement",
      ["replay", "--from", "x"],
      settings(),
      /^settlement: --from: expected an offset/,
    ],
    ["settlement", ["replay", "--from", "-1"], settings(), /^settlement: Option '--from' argument/],
    ["settlement", ["rewind"], settings(), /^settlement: unknown command rewind; usage:/],
    ["forensics", ["payments"], settings(), /^forensics: payments: no forensic bundle/],
    ["forensics", ["exchange"], { KAFKA_BROKERS: "127.0.0.1:9" }, /^forensics: DATABASE_URL: /],
    [
      "forensics",
      ["exchange"],
      { ...settings(), DATABASE_URL: databaseUrl.replace(/@[^/]+/, "@db:notaport") },
      /^forensics: DATABASE_URL: /,
    ],
  ];
  const password = `:${new URL(databaseUrl).password}@`;
  for (const [script, args, env, expected] of cases) {
    const answer = await run(script, args, env);
    assert.is(answer.code, 1, `${args.join(" ")}: ${answer.stdout}${answer.stderr}`);
    assert.match(answer.stderr, expected, answer.stderr);
    assert.is(answer.stderr.trim().split("\n").length, 1, answer.stderr);
    assert.not.match(answer.stderr, password);
  }
});

test.run();
