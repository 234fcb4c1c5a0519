/**
 * @module `npm run smoke -- exchange`: seed 002's Gate G0 against running servers (those of
 * `npm start` unless flags name others). Prints each step with its duration, then
 * `smoke_g0_success=true`; or `smoke_g0_success=false` with the step that failed and where to
 * look, exit 1. A usage error is one line and exit 2.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createPool } from "../../services/kit/db";
import { ExchangeClient } from "./exchange-client";
import { gateOptions, UsageError } from "./gate-options";
import { type GateRun, gateSteps } from "./gate-steps";

/** An error's message with its cause (fetch says only "fetch failed"; its cause says why). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause ? `${error.message} (${cause.code ?? cause.message})` : error.message;
}

function elapsed(startedMs: number): string {
  return `${Math.round(performance.now() - startedMs)} ms`;
}

/** Run every step in order; the first failure ends the run. Returns whether all passed. */
async function runSteps(run: GateRun, print: (line: string) => void): Promise<boolean> {
  for (const step of gateSteps) {
    const startedMs = performance.now();
    try {
      const detail = await step.run(run);
      print(`ok   ${step.name} (${elapsed(startedMs)}): ${detail}`);
    } catch (error) {
      print(`FAIL ${step.name} (${elapsed(startedMs)}): ${describe(error)}`);
      print(`smoke_g0_success=false step="${step.name}"`);
      print(`look at: ${step.lookAt(run)}`);
      return false;
    }
  }
  print("smoke_g0_success=true");
  return true;
}

/** Cancel an order of this run still resting, so it cannot meet a later run's orders. */
async function cancelLeftovers(run: GateRun): Promise<void> {
  if (!run.sequencerUrl) return;
  if (run.resting && run.taker === undefined)
    await run.exchange.cancel(run.sequencerUrl, run.options.seller, run.resting.orderId);
  if (run.taker?.status === "open")
    await run.exchange.cancel(run.sequencerUrl, run.options.buyer, run.taker.orderId);
}

/** The command; resolves with its exit code (0 passed, 1 a step failed, 2 usage). */
export async function runGateG0Command(args: readonly string[]): Promise<number> {
  let options: ReturnType<typeof gateOptions>;
  try {
    options = gateOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm run smoke -- exchange: ${error.message}\n`);
    return 2;
  }
  mkdirSync(options.logDir, { recursive: true });
  const httpLog = join(options.logDir, "http.log");
  const run: GateRun = {
    options,
    exchange: new ExchangeClient(options, httpLog),
    pool: createPool(options.databaseUrl, undefined, {
      max: 2,
      connectionTimeoutMillis: options.stepTimeoutMs,
    }),
    httpLog,
    wsLog: join(options.logDir, "ws-events.log"),
  };
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `Gate G0 on ${options.symbol}: exchange ${options.exchangeUrls.join(" ")}, edge ${options.edgeUrl}; logs in ${options.logDir}`,
  );
  try {
    return (await runSteps(run, print)) ? 0 : 1;
  } finally {
    run.market?.close();
    await cancelLeftovers(run);
    await run.pool.end().catch(() => undefined);
  }
}
