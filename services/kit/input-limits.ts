/**
 * @module The kit's edge limits on every request, before routing and validation: no NUL in
 * the path or the query (`%00`), and a JSON body that is UTF-8, nested at most
 * `maxJsonDepth` levels, with no NUL or unpaired surrogate in any string or key
 * (`json-limits.ts`). What passes is parsed once: the route's validator and the idempotency
 * store read the cached text and value instead of parsing again. Header values need no check
 * here: Node's HTTP parser refuses NUL and control characters in them (see `transport-errors.ts`).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { utf8, type ValidationIssue, validationProblemOf } from "./input-problems";
import { parseBoundedJson } from "./json-limits";

const jsonMediaType = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;
const bodyless = new Set(["GET", "HEAD", "OPTIONS"]);

/** NUL characters in the URL (`%00`), each named by where it is: the path or a query parameter. */
function urlIssues(url: string): ValidationIssue[] {
  if (!/%00/.test(url)) return [];
  const parsed = new URL(url);
  const issues: ValidationIssue[] = [];
  const message = "contains a NUL character (U+0000)";
  if (/%00/.test(parsed.pathname)) issues.push({ in: "path", path: parsed.pathname, message });
  for (const [name, value] of parsed.searchParams) {
    if (name.includes("\u0000") || value.includes("\u0000")) {
      issues.push({ in: "query", path: name.replaceAll("\u0000", "\\u0000"), message });
    }
  }
  return issues;
}

async function checkJsonBody(c: Context<AppEnv>): Promise<void> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) return;
  const text = utf8(bytes);
  const { value, issues } = parseBoundedJson(text);
  if (issues.length > 0) throw validationProblemOf(issues);
  // Hono keeps promises in its body cache (its type says otherwise).
  const cache = c.req.bodyCache as Record<string, unknown>;
  cache.text = Promise.resolve(text);
  cache.json = Promise.resolve(value);
}

/** Refuse input no service can mean (400/422 problem+json naming where it is). */
export function inputLimits(): MiddlewareHandler<AppEnv> {
  return async function inputLimitsMiddleware(c, next) {
    const issues = urlIssues(c.req.url);
    if (issues.length > 0) throw validationProblemOf(issues);
    const type = c.req.header("content-type");
    if (type !== undefined && !bodyless.has(c.req.method) && jsonMediaType.test(type)) {
      await checkJsonBody(c);
    }
    return next();
  };
}
