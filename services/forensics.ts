/**
 * @module `npm run forensics -- <service>`: take a service's forensic bundle before anyone
 * corrects anything. Today the exchange has one (seed 002 §3.1). It is written to
 * `$FORENSICS_DIR`, else `forensics/<service>/<UTC time>/` under the current directory, and
 * one JSON line names the folder and every file with its SHA-256.
 *
 * Settings: `DATABASE_URL`, `KAFKA_BROKERS` (and the kit's Kafka SASL/TLS settings);
 * `FORENSICS_WINDOW_MINUTES` (default 60) bounds the engine log segment and ledger range.
 */
import { join, resolve } from "node:path";
import { commandConnections, runCommand } from "./exchange/settlement/command-connections";
import { writeForensicBundle } from "./exchange/settlement/forensic-bundle";

const recorded = ["DATABASE_URL", "KAFKA_BROKERS", "KAFKA_SASL_MECHANISM", "KAFKA_TLS"];

async function main(argv: readonly string[]): Promise<number> {
  const [service] = argv;
  if (service !== "exchange") {
    throw new Error(
      `${service ?? "(none)"}: no forensic bundle for it; usage: npm run forensics -- exchange`,
    );
  }
  const window = process.env.FORENSICS_WINDOW_MINUTES ?? "60";
  if (!/^[1-9][0-9]{0,5}$/.test(window)) {
    throw new Error(
      `FORENSICS_WINDOW_MINUTES: expected whole minutes such as 60 (got "${window}")`,
    );
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const directory = resolve(process.env.FORENSICS_DIR || join("forensics", service, stamp));
  const connections = commandConnections(process.env, "exchange-forensics");
  try {
    const manifest = await writeForensicBundle({
      ...connections,
      directory,
      windowMinutes: Number(window),
      settings: Object.fromEntries(recorded.map((name) => [name, process.env[name]])),
    });
    process.stdout.write(
      `${JSON.stringify({ msg: "forensic bundle written", directory, ...manifest })}\n`,
    );
    return 0;
  } finally {
    await connections.close();
  }
}

runCommand("forensics", () => main(process.argv.slice(2)));
