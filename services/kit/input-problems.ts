/**
 * @module Bad input as the kit's problems, built the same way wherever input is read: a body
 * that is not JSON is 400 `request/malformed`, a value that fails its zod schema is 422
 * `request/validation` listing every issue as `errors: [{ in, path, message }]`; text with a
 * NUL or an unpaired surrogate, or JSON nested too deeply, is refused the same way
 * (`json-limits.ts`).
 */
import type { z } from "zod";
import { parseBoundedJson } from "./json-limits";
import { kitProblems, malformedRequest, type ProblemError, problem } from "./problem";

/** One failed check of a request, as listed in a validation problem's `errors`. */
export interface ValidationIssue {
  /** Where the value came from: `json`, `query`, `param`, `header`... */
  readonly in: string;
  readonly path: string;
  readonly message: string;
}

/** The 422 problem for a failed zod validation of the request's `target`. */
export function validationProblem(
  error: z.ZodError,
  target: string,
  pathPrefix = "",
): ProblemError {
  const issues: ValidationIssue[] = error.issues.map((issue) => ({
    in: target,
    path: pathPrefix + issue.path.join("."),
    message: issue.message,
  }));
  return validationProblemOf(issues);
}

/** The 422 problem listing `issues`. */
export function validationProblemOf(issues: readonly ValidationIssue[]): ProblemError {
  return problem({
    type: kitProblems.validation,
    title: "Request validation failed",
    status: 422,
    detail: issues
      .map((issue) => `${issue.in} ${issue.path || "(root)"}: ${issue.message}`)
      .join("; "),
    extensions: { errors: issues },
  });
}

/**
 * Parse a JSON body read by hand (raw bytes for a signature, an optional body): 400 when it is
 * not JSON or nests too deeply, 422 naming each string with a NUL or an unpaired surrogate.
 */
export function parseJsonBody(raw: string | Uint8Array): unknown {
  const { value, issues } = parseBoundedJson(typeof raw === "string" ? raw : utf8(raw));
  if (issues.length > 0) throw validationProblemOf(issues);
  return value;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bytes as UTF-8 text; 400 when they are not UTF-8. */
export function utf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw malformedRequest("the body is not valid UTF-8");
  }
}

/** Validate `value` (read by hand) against `schema`: its data, or the 422 problem. */
export function validInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  target = "json",
  pathPrefix = "",
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, target, pathPrefix);
  return result.data;
}
