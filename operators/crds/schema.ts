/**
 * @module Small builders for OpenAPI v3 structural schemas, so every field of a control
 * resource is declared with its description (what `kubectl explain` prints) in one line.
 */

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

interface Extra {
  readonly rules?: readonly CelRule[];
  readonly [key: string]: unknown;
}

function withRules(schema: JsonSchema, extra: Extra = {}): JsonSchema {
  const { rules, ...rest } = extra;
  const result: JsonSchema = { ...schema, ...rest };
  if (rules && rules.length > 0) result["x-kubernetes-validations"] = [...rules];
  return result;
}

/** A string field; `maxLength` is required because CEL cost estimates need a bound. */
export function string(
  description: string,
  options: Extra & { maxLength: number; minLength?: number; pattern?: string; format?: string },
): JsonSchema {
  return withRules({ type: "string", description }, options);
}

/** A string field with a fixed set of values. */
export function enumeration(description: string, values: readonly string[], extra?: Extra) {
  return withRules({ type: "string", description, enum: [...values] }, extra);
}

export function integer(
  description: string,
  options: Extra & { minimum?: number; maximum?: number; default?: number; format?: string } = {},
): JsonSchema {
  return withRules({ type: "integer", description }, options);
}

export function boolean(description: string, extra?: Extra): JsonSchema {
  return withRules({ type: "boolean", description }, extra);
}

/** An RFC 3339 timestamp. */
export function timestamp(description: string, extra?: Extra): JsonSchema {
  return withRules({ type: "string", format: "date-time", description }, extra);
}

/** A list of unique strings (`x-kubernetes-list-type: set`). */
export function stringSet(description: string, item: JsonSchema, maxItems: number, extra?: Extra) {
  return withRules(
    { type: "array", description, items: item, maxItems, "x-kubernetes-list-type": "set" },
    extra,
  );
}

export function array(description: string, item: JsonSchema, maxItems: number, extra?: Extra) {
  return withRules({ type: "array", description, items: item, maxItems }, extra);
}

/** An object with declared properties; `required` lists the ones that must be present. */
export function object(
  description: string,
  properties: Record<string, JsonSchema>,
  extra: Extra & { required?: readonly string[] } = {},
): JsonSchema {
  const { required, ...rest } = extra;
  const schema: JsonSchema = { type: "object", description, properties };
  if (required && required.length > 0) schema.required = [...required];
  return withRules(schema, rest);
}
