/**
 * @module What the operator and the autopilot share as long-running programs: the log line
 * shape and the way they stop (SIGTERM/SIGINT gracefully, a lost Lease with status 1).
 */
import pino, { type Logger } from "pino";
import { loggerOptions } from "../../services/kit/logger";
import { stopTracing } from "../../services/kit/tracing";

/** JSON logs with the services' line shape and censored fields (services/kit/logger.ts). */
export function programLogger(component: string, identity: string, level: string): Logger {
  return pino(loggerOptions(level, { component, identity }));
}

/**
 * Stop `program` on SIGTERM/SIGINT (exit 0) or when it loses its Lease (exit 1), then export
 * the spans still buffered when it traces; a stop that hangs is cut off after 15 s.
 */
export function exitWhenDone(program: { stop(): Promise<void>; readonly lost: Promise<void> }) {
  let stopping = false;
  async function shutdown(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code || 1), 15_000);
    force.unref();
    await program.stop();
    await stopTracing();
    process.exit(code);
  }
  process.once("SIGTERM", () => void shutdown(0));
  process.once("SIGINT", () => void shutdown(0));
  void program.lost.then(() => shutdown(1));
}
