/**
 * @module What JSON a service accepts at all, before any schema: at most {@link maxJsonDepth}
 * levels of nesting (checked on the text, before anything recurses: a few KB of `[[[[`
 * would overflow the stack of `JSON.stringify` and canonical JSON), and strings (keys
 * included) without NUL characters or unpaired UTF-16 surrogates, which PostgreSQL's text
 * and jsonb cannot store and which no field of any API means.
 */
import type { ValidationIssue } from "./input-problems";
import { kitProblems, malformedRequest, problem } from "./problem";

/** Deepest nesting of arrays and objects a JSON body may have (the body itself is level 1). */
export const maxJsonDepth = 32;

/** Issues listed at most per problem (the first ones found). */
const issuesMax = 20;

const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;

/** The deepest nesting of `text` (0 for a scalar), counting only outside strings; stops past `limit`. */
export function jsonDepth(text: string, limit = maxJsonDepth): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === backslash) index += 1;
      else if (code === quote) inString = false;
    } else if (code === quote) inString = true;
    else if (code === openBrace || code === openBracket) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (code === closeBrace || code === closeBracket) depth -= 1;
  }
  return deepest;
}

interface WellFormed {
  isWellFormed(): boolean;
}

/** Why `text` cannot be stored as text, or undefined when it can. */
export function textDefect(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL character (U+0000)";
  if (!(text as unknown as WellFormed).isWellFormed()) {
    return "contains an unpaired UTF-16 surrogate (not valid Unicode text)";
  }
  return undefined;
}

/** Every string (and key) of a parsed JSON value that {@link textDefect} refuses, with its path. */
export function textIssues(value: unknown, where = "json"): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // Iterative: the depth was bounded on the text, but no recursion is needed either.
  const pending: Array<[unknown, string]> = [[value, ""]];
  while (pending.length > 0 && issues.length < issuesMax) {
    const [item, path] = pending.pop()!;
    if (typeof item === "string") {
      const defect = textDefect(item);
      if (defect) issues.push({ in: where, path, message: defect });
    } else if (item !== null && typeof item === "object") {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path === "" ? key : `${path}.${key}`;
        const defect = textDefect(key);
        if (defect) issues.push({ in: where, path: childPath, message: `its name ${defect}` });
        pending.push([child, childPath]);
      }
    }
  }
  return issues;
}

/** The 400 problem for a body nested deeper than {@link maxJsonDepth}. */
export function tooDeep(): never {
  throw problem({
    type: kitProblems.tooDeep,
    title: "JSON nested too deeply",
    status: 400,
    detail: `the body nests arrays and objects deeper than ${maxJsonDepth} levels`,
    extensions: { maxDepth: maxJsonDepth },
  });
}

/**
 * Parse JSON text: 400 `request/malformed` when it is not JSON, 400 `request/too-deep` past
 * {@link maxJsonDepth} (checked first, on the text); the strings to refuse come back as
 * `issues` (see `parseJsonBody`, which makes them a 422).
 */
export function parseBoundedJson(text: string): { value: unknown; issues: ValidationIssue[] } {
  if (jsonDepth(text) > maxJsonDepth) tooDeep();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformedRequest("the body is not JSON");
  }
  return { value, issues: textIssues(value) };
}
