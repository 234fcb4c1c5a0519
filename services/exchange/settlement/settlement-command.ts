/**
 * @module `npm run settlement -- <command>`: the settlement's emergency actions from a shell,
 * against `$DATABASE_URL` and `$KAFKA_BROKERS`. Each prints one JSON line.
 *
 * - `replay --from <offset> [--partition <n>] [--symbol <BASE-QUOTE>]`: settle every trade of
 *   `exchange.trades` again from the offset (seed 002 §3.1 recovery); trades already on the
 *   ledger are no-ops. Exit 0.
 * - `check [--grace-seconds <n>]`: run the invariant checker once. Exit 0 when every
 *   invariant holds, 2 when one is violated.
 */
import { parseArgs } from "node:util";
import { commandConnections, runCommand } from "./command-connections";
import { checkInvariants } from "./invariant-checker";
import { replaySettlement } from "./settlement-replay";

const usage =
  "usage: npm run settlement -- replay --from <offset> [--partition <n>] [--symbol <BASE-QUOTE>] | check [--grace-seconds <n>]";

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      from: { type: "string" },
      partition: { type: "string" },
      symbol: { type: "string" },
      "grace-seconds": { type: "string" },
    },
  });
  const [command] = positionals;
  if (command === "replay") return replay(values);
  if (command === "check") return check(values["grace-seconds"]);
  throw new Error(command === undefined ? usage : `unknown command ${command}; ${usage}`);
}

async function replay(values: { from?: string; partition?: string; symbol?: string }) {
  if (values.from === undefined || !/^(0|[1-9][0-9]{0,18})$/.test(values.from)) {
    throw new Error("--from: expected an offset of exchange.trades, a whole number such as 0");
  }
  if (values.partition !== undefined && !/^(0|[1-9][0-9]{0,4})$/.test(values.partition)) {
    throw new Error("--partition: expected a partition number such as 0");
  }
  if (values.symbol !== undefined && !/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/.test(values.symbol)) {
    throw new Error("--symbol: expected a symbol BASE-QUOTE such as BTC-USD");
  }
  const connections = commandConnections(process.env, "exchange-settlement-replay");
  try {
    const result = await replaySettlement(connections, {
      fromOffset: values.from,
      partition: values.partition === undefined ? undefined : Number(values.partition),
      symbol: values.symbol,
    });
    process.stdout.write(`${JSON.stringify({ msg: "settlement replayed", ...result })}\n`);
    return 0;
  } finally {
    await connections.close();
  }
}

async function check(graceSeconds: string | undefined): Promise<number> {
  if (graceSeconds !== undefined && !/^[0-9]{1,6}$/.test(graceSeconds)) {
    throw new Error("--grace-seconds: expected a whole number of seconds");
  }
  const connections = commandConnections(process.env, "exchange-settlement-check");
  try {
    const settleGraceMs = graceSeconds === undefined ? undefined : Number(graceSeconds) * 1000;
    const report = await checkInvariants(connections.pool, connections.metrics, { settleGraceMs });
    const ok = report.violations.length === 0;
    const msg = ok ? "every invariant holds" : "invariants violated";
    process.stdout.write(`${JSON.stringify({ msg, ...report })}\n`);
    return ok ? 0 : 2;
  } finally {
    await connections.close();
  }
}

runCommand("settlement", () => main(process.argv.slice(2)));
