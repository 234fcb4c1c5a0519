/**
 * @module Reads the runbooks: every `runbooks/<component>/<AlertName>.md`, its metadata (the
 * first ```yaml block under the title: alert, component, severity, controls) and the YAML
 * blocks after it, which a person applies.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, parseAllDocuments } from "yaml";

export const runbooksRoot = import.meta.dirname;

export interface RunbookMetadata {
  readonly alert: string;
  readonly component: string;
  readonly severity: string;
  readonly controls: readonly string[];
}

export interface RunbookFile {
  /** Relative to the repository, e.g. `runbooks/payments/PaymentsLedgerImbalance.md`. */
  readonly path: string;
  readonly component: string;
  /** The file name without `.md`. */
  readonly name: string;
  readonly metadata: RunbookMetadata;
  /** Every object in the file's later ```yaml blocks. */
  readonly yamlObjects: Record<string, unknown>[];
}

/** Every runbook file under a component folder (the README at the root is not one). */
export function readRunbooks(root: string = runbooksRoot): RunbookFile[] {
  const files: RunbookFile[] = [];
  for (const component of readdirSync(root).sort()) {
    const folder = join(root, component);
    if (!statSync(folder).isDirectory()) continue;
    for (const file of readdirSync(folder).sort()) {
      if (!file.endsWith(".md")) continue;
      const text = readFileSync(join(folder, file), "utf8");
      files.push({
        path: `runbooks/${relative(root, join(folder, file))}`,
        component,
        name: file.slice(0, -".md".length),
        ...blocksOf(text, file),
      });
    }
  }
  return files;
}

// Metadata sits in a code block rather than front matter, which the formatter would break.
function blocksOf(text: string, file: string) {
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)];
  const first = blocks[0];
  if (first === undefined || !/^# [^\n]+\n\n```yaml\n/.test(text))
    throw new Error(
      `${file}: expected the title, then a \`\`\`yaml block with alert, component, severity, controls`,
    );
  return {
    metadata: parse(first[1]!) as RunbookMetadata,
    yamlObjects: blocks
      .slice(1)
      .flatMap((block) =>
        parseAllDocuments(block[1]!).map((document) => document.toJS() as Record<string, unknown>),
      ),
  };
}
