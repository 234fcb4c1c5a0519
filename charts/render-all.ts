/**
 * @module Renders every environment and checks it: the files to write under `rendered/`, a
 * summary per app, and every problem the manifest checks found, and those of each
 * environment's control manifests in git (charts/controls-folder.ts). Writes nothing.
 */
import type { Environment } from "../environments";
import {
  formatProblem,
  type ManifestCheck,
  manifestChecks,
  runManifestChecks,
} from "../policies/checks";
import { readControlsFolder } from "./controls-folder";
import { type RenderedObject, renderEnvironment, toYaml } from "./render";

export interface AppSummary {
  readonly environment: string;
  readonly app: string;
  readonly objects: number;
}

export interface RenderResult {
  /** Path relative to `rendered/` → file content. */
  readonly files: Map<string, string>;
  readonly summary: AppSummary[];
  /** One line per problem; empty when every check passed. */
  readonly problems: string[];
}

function summarize(objects: readonly RenderedObject[]): AppSummary[] {
  const counts = new Map<string, AppSummary>();
  for (const { environment, app } of objects) {
    const key = `${environment}/${app}`;
    const current = counts.get(key);
    counts.set(key, { environment, app, objects: (current?.objects ?? 0) + 1 });
  }
  return [...counts.values()];
}

export function renderAll(
  environments: readonly Environment[],
  checks: readonly ManifestCheck[] = manifestChecks,
): RenderResult {
  const files = new Map<string, string>();
  const summary: AppSummary[] = [];
  const problems: string[] = [];
  for (const environment of environments) {
    const objects = renderEnvironment(environment);
    for (const { path, object } of objects) files.set(path, toYaml(object));
    summary.push(...summarize(objects));
    problems.push(...runManifestChecks(environment.name, objects, checks).map(formatProblem));
    // The controls Application syncs this folder as it is in git: it is checked, not rendered.
    problems.push(...readControlsFolder(environment).problems);
  }
  return { files, summary, problems };
}

/** The summary as an aligned text table. */
export function formatSummary(summary: readonly AppSummary[]): string {
  const rows = [
    ["environment", "app", "objects"],
    ...summary.map((row) => [row.environment, row.app, String(row.objects)]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 2 ? cell.padStart(widths[2]!) : cell.padEnd(widths[column]!),
        )
        .join("  "),
    )
    .join("\n");
}
