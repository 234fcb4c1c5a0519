/**
 * @module Reads the automation rules: every `*.yaml` file of a folder (the repository's
 * `policies/automation/`, or the folder the charts mount into the autopilot), each validated
 * with the rule schema. The first problem is one line naming the file and the field.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { EnvironmentName } from "../../environments/schema";
import { type AutomationMode, type AutomationRule, ruleFileSchema } from "./rule-schema";

/** The repository's rule folder. */
export const automationRulesDirectory = import.meta.dirname;

/** A malformed rule file; the message is one line: `<file>: <field>: <problem>`. */
export class RuleError extends Error {
  override readonly name = "RuleError";
}

/** A rule with the file it came from. */
export interface LoadedRule extends AutomationRule {
  readonly file: string;
}

/** A rule as one environment runs it. */
export interface ActiveRule extends LoadedRule {
  readonly mode: AutomationMode;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    "",
  );
}

function shownPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith("..") ? path : fromHere;
}

/** Parse and validate one rule file's text. */
export function parseRuleFile(file: string, text: string): LoadedRule[] {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new RuleError(`${file}: not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const result = ruleFileSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RuleError(`${file}: ${fieldPath(issue.path) || "(file)"}: ${issue.message}`);
  }
  return result.data.rules.map((rule) => ({ ...rule, file }));
}

/** Every rule of the `*.yaml` files in `directory`; rule names must be unique. */
export function loadRules(directory: string = automationRulesDirectory): LoadedRule[] {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
  const rules: LoadedRule[] = [];
  for (const name of files) {
    const file = shownPath(join(directory, name));
    for (const rule of parseRuleFile(file, readFileSync(join(directory, name), "utf8"))) {
      const earlier = rules.find((other) => other.name === rule.name);
      if (earlier) {
        throw new RuleError(`${file}: name: ${rule.name} is already a rule in ${earlier.file}`);
      }
      rules.push(rule);
    }
  }
  return rules;
}

/** The mode each rule runs in: the rule's own for the environment, else the default. */
export function activeRules(
  rules: readonly LoadedRule[],
  environment: EnvironmentName,
  defaultMode: AutomationMode,
): ActiveRule[] {
  return rules.map((rule) => ({ ...rule, mode: rule.modes[environment] ?? defaultMode }));
}
