/**
 * @module zod schemas as the one source of a control kind's shape: `.meta()` carries what
 * only the API server reads (descriptions for `kubectl explain`, list types, CEL rules), and
 * `structuralSchema()` turns a schema into the OpenAPI v3 structural schema of a CRD. CEL
 * rules attached with `celRules()` are also evaluated at runtime (with a CEL interpreter), so
 * the admin API refuses what the API server refuses, with the same message.
 */

import { z } from "@hono/zod-openapi";
import { parse as parseCel } from "@marcbachmann/cel-js";

/** An OpenAPI v3 schema as the API server stores it inside a CustomResourceDefinition. */
export type JsonSchema = Record<string, unknown>;

/** A CEL rule (`x-kubernetes-validations` entry). */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueForbidden";
  /** Evaluate the transition rule on create too, with `oldSelf` as an optional. */
  readonly optionalOldSelf?: boolean;
}

/** The key under which CEL rules travel in a schema's metadata (and the CRD). */
export const celRulesKey = "x-kubernetes-validations";

/** Transition rules compare with the stored object; a runtime check has none. */
function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

/**
 * Attach CEL rules to `schema`: the CRD gets them as `x-kubernetes-validations`, and the
 * same expressions run on every parse (`self` is the value), each failure an issue with the
 * rule's message. Transition rules (`oldSelf`) only reach the CRD.
 */
export function celRules<T extends z.ZodType>(schema: T, rules: readonly CelRule[]): T {
  const runnable = rules
    .filter((rule) => !isTransitionRule(rule))
    .map((rule) => ({ rule, evaluate: parseCel(rule.rule) }));
  const metadata = schema.meta() ?? {};
  const existing = (metadata[celRulesKey] as CelRule[] | undefined) ?? [];
  const checked = schema.check((context) => {
    for (const { rule, evaluate } of runnable) {
      if (evaluate({ self: context.value }) === true) continue;
      context.issues.push({
        code: "custom",
        message: rule.message,
        input: context.value,
        path: rule.fieldPath ? rule.fieldPath.replace(/^\./, "").split(".") : [],
      });
    }
  });
  return checked.meta({ ...metadata, [celRulesKey]: [...existing, ...rules] }) as T;
}

/** A list of unique values (`x-kubernetes-list-type: set`). */
export function stringSet<T extends z.ZodType>(description: string, item: T, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .refine((values) => new Set(values).size === values.length, "values must be unique")
    .meta({ description, "x-kubernetes-list-type": "set" });
}

/** An RFC 3339 timestamp with a zone, as Kubernetes writes them. */
export function timestamp(description: string) {
  return z.iso.datetime({ offset: true }).meta({ description });
}

const safeIntegerBound = Number.MAX_SAFE_INTEGER;

/**
 * The structural schema of `schema` for a CRD: zod's OpenAPI 3.0 output (input side, so
 * defaulted fields are optional) without what the API server does not take: zod's own
 * date-time regex (the server checks `format: date-time`) and the safe-integer bounds zod
 * puts on every integer.
 */
export function structuralSchema(schema: z.ZodType): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io: "input",
    unrepresentable: "throw",
  }) as JsonSchema;
  delete generated.$schema;
  return tidy(generated);
}

function tidy(schema: JsonSchema): JsonSchema {
  if (schema.format === "date-time") delete schema.pattern;
  if (schema.type === "integer") {
    if (schema.minimum === -safeIntegerBound) delete schema.minimum;
    if (schema.maximum === safeIntegerBound) delete schema.maximum;
  }
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    for (const property of Object.values(properties)) tidy(property);
    delete schema.additionalProperties;
  }
  if (schema.items) tidy(schema.items as JsonSchema);
  return schema;
}
