/**
 * @module Traces as on-call reads them: payments and a consumer of its events run as their own
 * processes (`services/run.ts`, as the charts start them) with `OTEL_EXPORTER_OTLP_ENDPOINT`
 * pointing at a real Jaeger; one payout through the HTTP API makes one trace holding the HTTP
 * server span, the PostgreSQL spans, the Kafka produce span and the consumer's span from the
 * other process, all with the request's `flow_id`, which the consumer's log lines carry too.
 * Without the variable nothing is traced, and the flow id still reaches the logs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createKafka } from "../../services/kit/kafka";
import { paymentsEventsTopic } from "../../services/payments/events";
import { startJaeger } from "../harness/jaeger";
import { startKafka } from "../harness/kafka";
import { startPostgres } from "../harness/postgres";
import { freePort, waitUntil } from "../harness/process";
import { startRedis } from "../harness/redis";
import {
  type ApiAnswer,
  adminToken,
  call,
  eventually,
  fundedWallet,
  testIssuer,
  webhookSecret,
} from "../payments/payments-fixture";
import { startPspServer } from "../payments/psp-server";

const root = join(import.meta.dirname, "..", "..");

interface Program {
  readonly child: ChildProcess;
  /** The JSON lines it logged so far. */
  lines(): Record<string, unknown>[];
  /** What it wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Run a TypeScript program as the image does (`node --import tsx <program> ...`). */
function runProgram(args: readonly string[], env: Record<string, string>): Program {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    stderr: () => stderr,
    lines() {
      return stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  readonly tags: readonly { key: string; value: unknown }[];
}

interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { serviceName: string }>>;
}

function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((item) => item.key === key)?.value;
}

/** A span of a PostgreSQL call (older and newer semantic conventions name the system apart). */
function isPostgres(span: JaegerSpan): boolean {
  return tag(span, "db.system.name") === "postgresql" || tag(span, "db.system") === "postgresql";
}

const programs: Program[] = [];
const stops: (() => Promise<void>)[] = [];
let jaegerQueryUrl = "";
let serviceEnv: Record<string, string> = {};
let brokers = "";

test.before(async () => {
  const [jaeger, postgres, redis, kafka, psp] = await Promise.all([
    startJaeger(),
    startPostgres(),
    startRedis(),
    startKafka(),
    startPspServer({ holdMs: 30_000 }),
  ]);
  stops.push(psp.stop);
  jaegerQueryUrl = jaeger.queryUrl;
  const databaseUrl = await postgres.createDatabase();
  brokers = kafka.brokers.join(",");
  serviceEnv = {
    ...(await testIssuer()).env,
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: brokers,
    ADMIN_TOKEN: adminToken,
    PSP_URL: psp.url,
    WEBHOOK_SECRET: webhookSecret,
    OUTBOX_RELAY_INTERVAL_MS: "100",
    LOG_LEVEL: "info",
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl,
    // Export every 100 ms instead of 5 s, so the trace shows up sooner.
    OTEL_BSP_SCHEDULE_DELAY: "100",
  };
});

test.after(async () => {
  await Promise.all(programs.map((program) => program.stop()));
  await Promise.all(stops.map((stop) => stop()));
});

/** Start payments from the environment alone, as `npm run service -- payments` does. */
async function startPayments(
  env: Record<string, string>,
): Promise<{ url: string; program: Program }> {
  const port = await freePort();
  const program = runProgram([join("services", "run.ts"), "payments"], {
    ...env,
    PORT: String(port),
  });
  programs.push(program);
  await loggedLine(program, "payments listening", (line) => line.msg === "listening");
  return { url: `http://127.0.0.1:${port}`, program };
}

/** Ask for a payout from a funded `account` as part of flow `flowId` (`x-flow-id`). */
function payoutInFlow(url: string, account: string, flowId: string): Promise<ApiAnswer> {
  return call(
    url,
    "POST",
    "/v1/payouts",
    { account, amount: "250", currency: "USD", destination: "acct-ok" },
    { "idempotency-key": randomUUID(), "x-flow-id": flowId },
  );
}

/** Wait until `program` logs a line `matching`; fails with what it printed if it exits first. */
async function loggedLine(
  program: Program,
  what: string,
  matching: (line: Record<string, unknown>) => boolean,
): Promise<void> {
  const printed = () =>
    `stderr: ${program.stderr().slice(-2000)}\n${program
      .lines()
      .slice(-10)
      .map((line) => JSON.stringify(line))
      .join("\n")}`;
  await waitUntil(
    what,
    async () => program.child.exitCode !== null || program.lines().some(matching),
    { timeoutMs: 120_000 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${printed()}`);
  });
  if (program.child.exitCode !== null) {
    throw new Error(`${what}: exited with ${program.child.exitCode}\n${printed()}`);
  }
}

async function tracesWithFlow(service: string, flowId: string): Promise<JaegerTrace[]> {
  const query = new URLSearchParams({
    service,
    tags: JSON.stringify({ flow_id: flowId }),
    lookback: "1h",
    limit: "20",
  });
  const answer = await fetch(`${jaegerQueryUrl}/api/traces?${query}`);
  if (!answer.ok) return [];
  return ((await answer.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

test("one payout's spans form one trace across payments and the consumer of its events, with its flow_id", async () => {
  const payments = await startPayments(serviceEnv);
  // The topic exists before anyone consumes it, as the charts' Redpanda Topic makes it.
  const admin = createKafka(brokers.split(","), "tracing-test").admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: paymentsEventsTopic }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = runProgram([join("test", "tracing", "payments-events-consumer.ts")], {
    ...serviceEnv,
    OTEL_SERVICE_NAME: "payments-events-consumer",
    CONSUMER_GROUP: `tracing-${randomUUID()}`,
  });
  programs.push(consumer);
  await loggedLine(consumer, "consumer consuming", (line) => line.msg === "consuming");

  await fundedWallet(payments.url, "users:ada:wallet", 10_000n);
  const flowId = `dispute-${randomUUID()}`;
  const payout = await payoutInFlow(payments.url, "users:ada:wallet", flowId);
  assert.is(payout.status, 201, JSON.stringify(payout.body));
  assert.is(payout.headers.get("x-flow-id"), flowId, "the flow id is echoed");

  // The consumer's span arrives from the other process once it handled the event.
  const trace = await eventually(
    "one trace with payments' and the consumer's spans",
    async () => {
      const [found] = await tracesWithFlow("payments", flowId);
      const services = new Set(
        Object.values(found?.processes ?? {}).map((process) => process.serviceName),
      );
      const consumed = found?.spans.some(
        (span) => span.operationName === "process payments.events",
      );
      return found && services.has("payments-events-consumer") && consumed ? found : undefined;
    },
    60_000,
  );
  const serviceOf = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
  const spansOf = (service: string) => trace.spans.filter((span) => serviceOf(span) === service);

  assert.ok(
    trace.spans.every((span) => span.traceID === trace.traceID),
    "every span has the trace id",
  );
  const server = spansOf("payments").find((span) => span.operationName === "POST /v1/payouts");
  assert.ok(server, "the HTTP server span, named after its route");
  assert.is(tag(server, "span.kind"), "server");
  assert.is(tag(server, "flow_id"), flowId, "the server span carries the flow id");
  assert.ok(
    spansOf("payments").some(isPostgres),
    `payments' PostgreSQL spans: ${trace.spans.map((span) => span.operationName).join(", ")}`,
  );
  const produce = spansOf("payments").find((span) => span.operationName === "send payments.events");
  assert.ok(produce, "the Kafka produce span of the relay");
  const processed = spansOf("payments-events-consumer").find(
    (span) => span.operationName === "process payments.events",
  );
  assert.ok(processed, "the consumer's span, from the other process");
  assert.is(tag(processed, "flow_id"), flowId, "the consumer's span carries the flow id");
  assert.ok(
    spansOf("payments-events-consumer").some(isPostgres),
    "the consumer's PostgreSQL spans (its processed-message mark) are in the same trace",
  );

  const consumed = consumer
    .lines()
    .filter((line) => line.msg === "payments event consumed" && line.type === "payout.requested");
  assert.ok(consumed.length > 0, "the consumer logged the payout's event");
  for (const line of consumed.filter((item) => item.flow_id === flowId)) {
    assert.is(line.trace_id, trace.traceID, "the log line leads to the trace");
  }
  assert.ok(
    consumed.some((line) => line.flow_id === flowId),
    `the consumer's log line carries the flow id: ${JSON.stringify(consumed)}`,
  );
  const access = payments.program
    .lines()
    .find((line) => line.msg === "request" && line.flow_id === flowId);
  assert.ok(access, "payments' access log line carries the flow id");
  assert.is(access.trace_id, trace.traceID);
});

test("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is traced, and logs still carry the flow id", async () => {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _endpoint, ...untraced } = serviceEnv;
  const payments = await startPayments(untraced);
  await fundedWallet(payments.url, "users:bea:wallet", 10_000n);
  const flowId = `untraced-${randomUUID()}`;
  const payout = await payoutInFlow(payments.url, "users:bea:wallet", flowId);
  assert.is(payout.status, 201, JSON.stringify(payout.body));
  assert.is(payout.headers.get("x-flow-id"), flowId);
  const access = payments.program
    .lines()
    .find((line) => line.msg === "request" && line.flow_id === flowId);
  assert.ok(access, "the access log line carries the flow id");
  assert.is(access.trace_id, undefined, "no span exists in a process that does not trace");

  // The same program with the variable set does trace; without it no tracer records.
  const probe = (env: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "--input-type=module",
          "-e",
          `const { startTracing, stopTracing } = await import("./services/kit/tracing.ts");
           const started = await startTracing("probe");
           const { trace } = await import("@opentelemetry/api");
           const span = trace.getTracer("probe").startSpan("probe");
           console.log(JSON.stringify({ started, recording: span.isRecording() }));
           span.end();
           await stopTracing();`,
        ],
        {
          cwd: root,
          env: { PATH: process.env.PATH ?? "", ...env },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
      });
      child.once("exit", () => resolve(out.trim()));
    });
  assert.equal(JSON.parse(await probe({})), { started: false, recording: false });
  assert.equal(
    JSON.parse(
      await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: serviceEnv.OTEL_EXPORTER_OTLP_ENDPOINT! }),
    ),
    { started: true, recording: true },
  );
});

test("a malformed OTEL_EXPORTER_OTLP_ENDPOINT stops the start with one line naming it", async () => {
  const program = runProgram([join("services", "run.ts"), "payments"], {
    ...serviceEnv,
    PORT: String(await freePort()),
    OTEL_EXPORTER_OTLP_ENDPOINT: "tempo:4318",
  });
  const code = await new Promise<number | null>((resolve) => program.child.once("exit", resolve));
  assert.is(code, 1);
  assert.is(program.lines().length, 0, "nothing started, nothing logged");
  const lines = program.stderr().trim().split("\n");
  assert.is(lines.length, 1, program.stderr());
  assert.match(lines[0]!, /^OTEL_EXPORTER_OTLP_ENDPOINT: expected the http\(s\) URL/);
});

test.run();
