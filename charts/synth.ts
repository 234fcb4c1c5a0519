/**
 * @module `npm run synth`: renders every environment to `rendered/<env>/<app>/*.yaml`, checks
 * it, prints a table, and writes only when everything passed (see `synth-command.ts`).
 *
 * ```sh
 * npm run synth                                   # render, check, write rendered/
 * npm run synth -- --check                        # exit 1 when rendered/ is stale
 * npm run synth -- --restore payments-db --to 2026-11-22T10:30:00Z [--env prod] [--output f.yaml]
 * ```
 */
import { resolve } from "node:path";
import { loadAllEnvironments, loadEnvironment } from "../environments";
import { runSynth } from "./synth-command";

process.exitCode = runSynth(process.argv.slice(2), {
  loadAllEnvironments,
  loadEnvironment,
  renderedRoot: resolve(import.meta.dirname, "..", "rendered"),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
